#version 330 core
// Polygon fills and camera view sectors: positions relative to the scene origin, in metres.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_color;
uniform vec2 u_offset;  // scene origin minus view centre, metres
uniform float u_ppm;    // pixels per metre
uniform vec2 u_half;    // half the viewport, pixels
uniform vec4 u_recolor; // the layer's colour from the style editor; alpha < 0: per-vertex colours
out vec4 v_color;
void main() {
    vec2 px = (a_pos + u_offset) * u_ppm;
    gl_Position = vec4(px / u_half, 0.0, 1.0);
    v_color = u_recolor.a < 0.0 ? a_color : vec4(u_recolor.rgb, a_color.a * u_recolor.a);
}
