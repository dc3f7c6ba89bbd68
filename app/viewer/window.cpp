#define GLFW_INCLUDE_NONE
#include "app/viewer/window.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <epoxy/gl.h>
#include <imgui.h>

#include <algorithm>

#include "app/render/gl_context.h"
#include "app/render/image_out.h"
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

int last_scripted_frame(int frames, size_t events, bool screenshot) {
    if (frames > 0) return std::max<int>(frames, int(events) + 3);
    return screenshot ? int(events) + 3 : 0;
}

void present_frame(GLFWwindow* window, bool last, const std::string& screenshot, int w, int h) {
    if (last && !screenshot.empty()) {
        glReadBuffer(GL_BACK);
        write_image(screenshot, read_framebuffer(w, h), w, h);
    }
    glfwSwapBuffers(window);
}

void close_imgui_window(GLFWwindow* window) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
}

}  // namespace gw::app
