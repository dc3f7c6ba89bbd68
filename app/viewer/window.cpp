#define GLFW_INCLUDE_NONE
#include "app/viewer/window.h"

#include <GLFW/glfw3.h>

#include "geo/core/error.h"

namespace gw::app {

GlfwSession::GlfwSession(const std::string& what, const std::string& hint) {
    if (!glfwInit()) throw Error("no display for the " + what, {}, hint);
}

GlfwSession::~GlfwSession() { glfwTerminate(); }

void hint_gl33_core() {
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
}

}  // namespace gw::app
