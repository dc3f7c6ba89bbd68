#version 330 core
// A colour-mapped value raster (the KDE overlay): one quad over the raster's extent.
layout(location = 0) in vec2 a_pos;  // corner, metres relative to the scene origin
layout(location = 1) in vec2 a_uv;   // texture coordinate; v = 0 is the raster's top row
uniform vec2 u_offset;
uniform float u_ppm;
uniform vec2 u_half;
out vec2 v_uv;
void main() {
    gl_Position = vec4((a_pos + u_offset) * u_ppm / u_half, 0.0, 1.0);
    v_uv = a_uv;
}
