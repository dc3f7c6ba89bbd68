#version 330 core
// One instance per segment: a quad around the segment, grown by half the width plus u_pad pixels
// for antialiasing. The fragment shader cuts it to a capsule, so joins come out round.
layout(location = 0) in vec4 a_seg;    // ax, ay, bx, by (metres from the scene origin)
layout(location = 1) in vec4 a_color;
layout(location = 2) in vec4 a_style;  // width px, distance along the line at a (m), dash px, gap px
uniform vec2 u_offset;
uniform float u_ppm;
uniform vec2 u_half;
uniform vec4 u_recolor;     // the layer's colour from the style editor; alpha < 0: per-line colours
uniform float u_width_scale;  // the layer's line width factor from the style editor
uniform float u_pad;          // px past the half width (MapRenderer::draw: 0.5 on one sample a pixel)
out vec2 v_px;
out float v_along;
flat out vec2 v_a;
flat out vec2 v_b;
flat out vec4 v_color;
flat out vec4 v_style;  // drawn width, requested width, dash, gap
void main() {
    vec2 a = (a_seg.xy + u_offset) * u_ppm;
    vec2 b = (a_seg.zw + u_offset) * u_ppm;
    vec2 d = b - a;
    float len = length(d);
    vec2 dir = len > 1e-4 ? d / len : vec2(1.0, 0.0);
    vec2 n = vec2(-dir.y, dir.x);
    float req = a_style.x * u_width_scale;
    float w = max(req, 1.0);
    float r = w * 0.5 + u_pad;
    int id = gl_VertexID;
    float t = (id == 1 || id == 2 || id == 4) ? 1.0 : 0.0;
    float s = (id == 2 || id == 4 || id == 5) ? 1.0 : -1.0;
    vec2 p = (t < 0.5 ? a - dir * r : b + dir * r) + n * s * r;
    v_px = p;
    v_a = a;
    v_b = b;
    v_color = u_recolor.a < 0.0 ? a_color : vec4(u_recolor.rgb, a_color.a * u_recolor.a);
    v_style = vec4(w, req, a_style.z, a_style.w);
    v_along = a_style.y * u_ppm + dot(p - a, dir);
    gl_Position = vec4(p / u_half, 0.0, 1.0);
}
