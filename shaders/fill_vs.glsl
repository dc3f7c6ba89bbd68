#version 330 core
// Polygon fills and camera view sectors: positions relative to the scene origin, in metres.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_color;
layout(location = 2) in uint a_feature;  // the same bytes as a_color: with u_indexed, a row of u_colors
uniform vec2 u_offset;  // scene origin minus view centre, metres
uniform float u_ppm;    // pixels per metre
uniform vec2 u_half;    // half the viewport, pixels
uniform vec4 u_recolor; // the layer's colour from the style editor; alpha < 0: per-vertex colours
uniform bool u_indexed;          // colours by feature (SceneLayer::fill_colors), not by vertex
uniform samplerBuffer u_colors;  // RGBA8, one texel per feature
out vec4 v_color;
void main() {
    vec2 px = (a_pos + u_offset) * u_ppm;
    gl_Position = vec4(px / u_half, 0.0, 1.0);
    vec4 c = u_indexed ? texelFetch(u_colors, int(a_feature)) : a_color;
    v_color = u_recolor.a < 0.0 ? c : vec4(u_recolor.rgb, c.a * u_recolor.a);
}
