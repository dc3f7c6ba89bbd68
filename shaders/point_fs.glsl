#version 330 core
// Symbols as signed distance functions (negative inside), after Inigo Quilez's 2D SDFs.
in vec2 v_local;
flat in vec4 v_fill;
flat in vec4 v_outline;
flat in vec2 v_shape;
uniform float u_opacity;
out vec4 o_color;

float sd_triangle(vec2 p, float r) {
    const float k = sqrt(3.0);
    p.y += r * 0.25;  // centre the triangle's mass on the point
    p.x = abs(p.x) - r;
    p.y = p.y + r / k;
    if (p.x + k * p.y > 0.0) p = vec2(p.x - k * p.y, -k * p.x - p.y) / 2.0;
    p.x -= clamp(p.x, -2.0 * r, 0.0);
    return -length(p) * sign(p.y);
}
float sd_star5(vec2 p, float r, float rf) {
    const vec2 k1 = vec2(0.809016994375, -0.587785252292);
    const vec2 k2 = vec2(-k1.x, k1.y);
    p.x = abs(p.x);
    p -= 2.0 * max(dot(k1, p), 0.0) * k1;
    p -= 2.0 * max(dot(k2, p), 0.0) * k2;
    p.x = abs(p.x);
    p.y -= r;
    vec2 ba = rf * vec2(-k1.y, k1.x) - vec2(0.0, 1.0);
    float h = clamp(dot(p, ba) / dot(ba, ba), 0.0, r);
    return length(p - ba * h) * sign(p.y * ba.x - p.x * ba.y);
}
void main() {
    float R = v_shape.x * 0.5;
    int shape = int(v_shape.y + 0.5);
    vec2 p = v_local;
    float d;
    if (shape == 1) {
        vec2 q = abs(p) - vec2(R * 0.85);
        d = length(max(q, 0.0)) + min(max(q.x, q.y), 0.0);
    } else if (shape == 2) {
        d = sd_triangle(p, R * 0.95);
    } else if (shape == 3) {
        d = (abs(p.x) + abs(p.y) - R) * 0.7071;
    } else if (shape == 4) {
        d = abs(length(p) - R * 0.72) - R * 0.28;
    } else if (shape == 5) {
        d = sd_star5(p, R, 0.45);
    } else {
        d = length(p) - R;
    }
    float coverage = clamp(0.5 - d, 0.0, 1.0);
    if (coverage <= 0.0) discard;
    float edge = v_outline.a > 0.0 ? clamp(d + 1.6, 0.0, 1.0) : 0.0;
    vec4 c = mix(v_fill, v_outline, edge);
    o_color = vec4(c.rgb, c.a * coverage * u_opacity);
}
