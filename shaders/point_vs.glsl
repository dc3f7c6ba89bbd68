#version 330 core
// One instance per point symbol: a screen-space square big enough for the symbol and its outline
// (every symbol of point_fs lies within the radius size/2; the square reaches u_pad px past it).
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_fill;
layout(location = 2) in vec4 a_outline;
layout(location = 3) in vec2 a_shape;  // size px, symbol
uniform vec2 u_offset;
uniform float u_ppm;
uniform vec2 u_half;
uniform vec4 u_recolor;      // the layer's colour from the style editor; alpha < 0: per-point fills
uniform float u_size_scale;  // the layer's symbol size factor from the style editor
uniform float u_pad;          // px past the radius (MapRenderer::draw: 0.5 on one sample a pixel)
uniform float u_symbol_scale;  // symbols shrink when zoomed far out, so a county does not drown in them
out vec2 v_local;
flat out vec4 v_fill;
flat out vec4 v_outline;
flat out vec2 v_shape;
void main() {
    int id = gl_VertexID;
    vec2 corner = vec2((id == 1 || id == 2 || id == 4) ? 1.0 : -1.0, (id == 2 || id == 4 || id == 5) ? 1.0 : -1.0);
    float size = a_shape.x * u_symbol_scale * u_size_scale;
    float r = size * 0.5 + u_pad;
    vec2 c = (a_pos + u_offset) * u_ppm;
    v_local = corner * r;
    v_fill = u_recolor.a < 0.0 ? a_fill : vec4(u_recolor.rgb, a_fill.a * u_recolor.a);
    v_outline = a_outline;
    v_shape = vec2(size, a_shape.y);
    gl_Position = vec4((c + v_local) / u_half, 0.0, 1.0);
}
