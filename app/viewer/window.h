#pragma once
/**
 * What the viewer and the wall share around their window: GLFW's lifetime, the context they ask
 * for, when a scripted run ends and how its last frame is kept, and closing ImGui with the window.
 */
#include <cstddef>
#include <string>

struct GLFWwindow;

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

/**
 * The frame a scripted run stops after (counted from 1): `frames` when given, at least the
 * events (they start on the third frame) and two more; 0, no end, for an interactive run.
 */
int last_scripted_frame(int frames, size_t events, bool screenshot);

/** Shows the frame drawn; on the `last` one first saves the w×h window to `screenshot` (PNG), if given. */
void present_frame(GLFWwindow* window, bool last, const std::string& screenshot, int w, int h);

/** Shuts ImGui's OpenGL and GLFW backends and context down, then closes the window. */
void close_imgui_window(GLFWwindow* window);

}  // namespace gw::app
