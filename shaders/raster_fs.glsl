#version 330 core
// Colour-maps a density: transparent at zero, then pale yellow → orange → red → dark red at
// u_vmax (YlOrRd), the ramp a reader of crime and fire maps expects. Opacity rises with the
// value so low densities do not veil the map.
in vec2 v_uv;
uniform sampler2D u_values;
uniform float u_vmax;
uniform float u_opacity;
out vec4 o_color;
vec3 ramp(float t) {
    const vec3 c0 = vec3(1.00, 0.93, 0.63), c1 = vec3(0.99, 0.70, 0.30), c2 = vec3(0.94, 0.23, 0.13),
               c3 = vec3(0.50, 0.00, 0.15);
    if (t < 0.33) return mix(c0, c1, t / 0.33);
    if (t < 0.66) return mix(c1, c2, (t - 0.33) / 0.33);
    return mix(c2, c3, (t - 0.66) / 0.34);
}
void main() {
    float v = texture(u_values, v_uv).r;
    float t = clamp(v / max(u_vmax, 1e-12), 0.0, 1.0);
    if (t <= 0.02) discard;
    o_color = vec4(ramp(t), u_opacity * (0.35 + 0.5 * t));
}
