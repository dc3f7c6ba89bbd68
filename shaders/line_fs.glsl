#version 330 core
in vec2 v_px;
in float v_along;
flat in vec2 v_a;
flat in vec2 v_b;
flat in vec4 v_color;
flat in vec4 v_style;
uniform float u_opacity;
out vec4 o_color;
void main() {
    vec2 ab = v_b - v_a;
    float l2 = dot(ab, ab);
    float h = l2 > 0.0 ? clamp(dot(v_px - v_a, ab) / l2, 0.0, 1.0) : 0.0;
    float d = length(v_px - (v_a + ab * h));
    float alpha = clamp(v_style.x * 0.5 + 0.5 - d, 0.0, 1.0);
    alpha *= min(v_style.y, 1.0);  // hairlines thinner than a pixel fade instead of thinning
    if (v_style.z > 0.0) {
        float m = mod(v_along, v_style.z + v_style.w);
        alpha *= clamp(min(m, v_style.z - m) + 0.5, 0.0, 1.0);
    }
    if (alpha <= 0.0) discard;
    o_color = vec4(v_color.rgb, v_color.a * alpha * u_opacity);
}
