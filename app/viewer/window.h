#pragma once
/** What the viewer and the wall share to open a window: GLFW's lifetime and the context they ask for. */
#include <string>

namespace gw::app {

/**
 * GLFW initialised for the life of the object. Throws gw::Error "no display for the `what`"
 * with `hint` when there is no display to open a window on.
 */
class GlfwSession {
public:
    GlfwSession(const std::string& what, const std::string& hint);
    ~GlfwSession();
    GlfwSession(const GlfwSession&) = delete;
    GlfwSession& operator=(const GlfwSession&) = delete;
};

/** Asks the next window for the OpenGL 3.3 core, forward-compatible context the renderer needs. */
void hint_gl33_core();

}  // namespace gw::app
