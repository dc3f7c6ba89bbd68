// Wall mode: figures, masking, fonts, the dark map style and the drawing of the layout (see wall.h).
//
// [SECTION] Figures and masking
// [SECTION] Dark map style
// [SECTION] Analysis overlays
// [SECTION] Fonts
// [SECTION] Layout and drawing
#include "app/wall/wall.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <unordered_map>

#include "app/render/fonts.h"
#include "app/render/labels.h"
#include "app/viewer/viewer_text.h"
#include "geo/analysis/checks.h"
#include "geo/analysis/coverage.h"
#include "geo/analysis/hotspots.h"
#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/io/project.h"
#include "geo/io/writer.h"

namespace gw::app {

// ---------------------------------------------------------------------------------------------
// [SECTION] Figures and masking
// ---------------------------------------------------------------------------------------------

WallFigures wall_figures(const Dataset& ds, const std::string& today) {
    WallFigures f;
    f.households = int(ds.households.size());
    f.cameras_total = int(ds.cameras.size());
    for (const auto& c : ds.cameras) f.cameras_online += c.online();
    // "This month" is the calendar month of today. Demo and archived datasets are often older than
    // today; then their newest incident's month stands in (flagged, so the tile says which month),
    // rather than a wall of zeros.
    std::string newest;
    for (const auto& in : ds.incidents)
        if (in.when && iso_month(*in.when) > newest) newest = iso_month(*in.when);
    f.month = today.substr(0, 7);
    if (!newest.empty() && newest < f.month) {
        f.month = newest;
        f.month_from_data = true;
    }
    for (const auto& in : ds.incidents) {
        if (!in.when || iso_month(*in.when) != f.month) continue;
        const int k = in.color == "red" ? 0 : in.color == "yellow" ? 1 : in.color == "blue" ? 2 : 3;
        ++f.incidents[size_t(k)];
    }
    f.checks = wall_checks(ds, today);
    return f;
}

std::optional<WallChecks> wall_checks(const Dataset& ds, const std::string& today) {
    std::optional<int64_t> newest;
    for (const Check& c : ds.checks)
        if (c.when && (!newest || *c.when > *newest)) newest = *c.when;
    if (!newest || ds.grids_of_level(4).empty()) return std::nullopt;
    WallChecks w;
    // At 9 a.m. the reports reach yesterday evening: today is still today (every cell not yet
    // checked shows). A dataset whose reports ended days ago is an archive or a demo: its last day.
    const auto span = parse_iso_span(today);
    const int64_t newest_day = parse_iso_span(iso_date(*newest))->begin;
    int64_t day = span ? span->begin : newest_day;
    if (day - newest_day > 86400) day = newest_day, w.date_from_data = true;
    ChecksOptions o;
    o.date = day;
    o.days = 1;
    ChecksReport r;
    try {
        r = compute_checks(ds, o);
    } catch (const Error& e) {
        // Data the checks cannot be counted on (two cells with one grid_id): the wall goes on
        // without the 今日巡查 figures, and says why once.
        std::fprintf(stderr, "warning: the wall shows no checks: %s\n", without_secrets(e.what()).c_str());
        return std::nullopt;
    }
    w.date = iso_date(r.date);
    w.cells = int(r.cells.size());
    for (const CellChecks& c : r.cells) w.checked += c.days_since && *c.days_since == 0;
    for (const Check* c : r.today) w.newcomers += c->kind == "newcomer", w.returnees += c->kind == "returnee";
    for (const CellChecks* c : r.overdue)
        w.overdue.push_back({c->name.empty() ? c->grid_id : c->name, c->days_since, wall_person_label(c->manager)});
    return w;
}

CoverageReport wall_coverage_report(const Dataset& ds, bool gaps) {
    CoverageOptions o;
    o.level = 4;
    o.occlusion = true;
    o.gaps = gaps;
    o.roads = false;  // no scene shows the road metres
    return compute_coverage(ds, o);
}

double wall_coverage(const Dataset& ds) {
    return wall_coverage_report(ds, false).total.coverage;  // the figure tile shows the total only
}

std::string wall_person_label(const std::string& name) { return mask_name(name); }

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

}  // namespace

std::string wall_mask_text(const std::string& text, const Dataset& ds) {
    std::string s = text;
    // Longest names first, so 张三丰 is not half-masked as 张三.
    std::vector<const std::string*> names;
    for (const auto& g : ds.grids) names.push_back(&g.manager);
    for (const auto& h : ds.households) names.push_back(&h.head);
    std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return a->size() > b->size(); });
    for (const std::string* n : names)
        if (n->size() >= 2 && s.find(*n) != std::string::npos) replace_all(s, *n, wall_person_label(*n));
    for (const auto& g : ds.grids)
        if (g.phone.size() >= 4) replace_all(s, g.phone, mask_phone(g.phone));
    for (const auto& h : ds.households)
        if (h.phone.size() >= 4) replace_all(s, h.phone, mask_phone(h.phone));
    return mask_digit_runs(s);
}

std::string wall_live_badge(const store::LiveStatus& s, bool& alarm, Lang lang) {
    alarm = s.state == store::LiveState::Lost;
    if (alarm) return tr(Ui::LiveLost, lang);
    if (s.standby && s.lag_s) return std::string(tr(Ui::LiveLag, lang)) + " " + store::format_lag(*s.lag_s) + " s";
    return {};
}

std::pair<std::string, std::string> wall_clock_now(Lang lang) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char hm[16], ymd[32];
    std::strftime(hm, sizeof hm, "%H:%M", &tm);
    std::strftime(ymd, sizeof ymd, "%Y-%m-%d", &tm);
    static const char* const days[] = {"日", "一", "二", "三", "四", "五", "六"};
    static const char* const en[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    if (lang == Lang::En) return {hm, std::string(ymd) + " " + en[tm.tm_wday % 7]};
    return {hm, std::string(ymd) + " 星期" + days[tm.tm_wday % 7]};
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Dark map style
// ---------------------------------------------------------------------------------------------

namespace {

constexpr Rgba kWallCamera = rgba(236, 242, 248), kWallView = rgba(110, 150, 200);

/** Luminance inverted and most of the colour taken out: paper goes dark, ink goes light. */
Rgba dark_muted(Rgba c) {
    const double r = c & 255, g = c >> 8 & 255, b = c >> 16 & 255;
    const double lum = 0.3 * r + 0.59 * g + 0.11 * b;
    const double target = 30 + (255 - lum) * 0.62;
    auto ch = [&](double v) {
        return unsigned(std::clamp(target + (v - lum) * 0.3, 0.0, 255.0) + 0.5);
    };
    return rgba(ch(r), ch(g), ch(b), c >> 24);
}

}  // namespace

void darken_scene_for_wall(Scene& scene, const Dataset& ds) {
    // Incident points carry no index back to the dataset (they are chunked); they are matched by
    // their float position relative to the origin, exactly as build_scene computed it.
    std::unordered_map<uint64_t, Rgba> incident_colour;
    auto key = [](float x, float y) {
        uint32_t a, b;
        std::memcpy(&a, &x, 4), std::memcpy(&b, &y, 4);
        return uint64_t(a) << 32 | b;
    };
    for (const auto& in : ds.incidents)
        incident_colour[key(float(in.pos.x - scene.origin.x), float(in.pos.y - scene.origin.y))] =
            warning_rgba(in.color);
    for (auto& L : scene.layers) {
        if (L.id == LayerId::Incidents) {
            for (auto& p : L.points) {
                auto it = incident_colour.find(key(p.x, p.y));
                p.fill = it != incident_colour.end() ? it->second : rgba(150, 150, 150);
                p.outline = rgba(10, 10, 10);
                p.size_px *= 1.4f;
            }
        } else {
            for (auto& v : L.fills) v.color = dark_muted(v.color);
            for (auto& l : L.lines) l.color = dark_muted(l.color);
            for (auto& p : L.points) {
                p.fill = dark_muted(p.fill);
                p.outline = with_alpha(kWallBackground, p.outline >> 24);
            }
            // Cameras are what the wall is about: a clear light blue, not an owner colour.
            if (L.id == LayerId::Cameras)
                for (auto& p : L.points) p.fill = with_alpha(kWallCamera, p.fill >> 24), p.size_px *= 1.2f;
            // Their views in a translucent blue-grey: what is watched reads at a glance.
            if (L.id == LayerId::CameraViews)
                for (auto& v : L.fills) v.color = with_alpha(kWallView, std::max(70u, v.color >> 24));
        }
        ++L.revision;
    }
    // Names at wall sizes (relative: fonts are chosen per wall height), light on the dark map.
    for (auto& c : scene.labels) {
        c.size_px = c.layer == LayerId::Grids && c.level <= 2 ? 1.0f : 0.92f;  // 46 px of 50 at 1080p
        c.color = c.layer == LayerId::Enterprises ? rgba(205, 190, 255) : rgba(236, 240, 246);
    }
}

std::vector<WallLegendEntry> wall_other_legend(const Scene& map, const Dataset& ds) {
    std::vector<WallLegendEntry> out;
    for (const auto& L : map.layers) {
        if (L.id != LayerId::Other || !L.visible || L.other < 0 || size_t(L.other) >= ds.other_layers.size())
            continue;
        const OtherLayerStyle st = other_layer_style(size_t(L.other));
        const GeometryKinds k = geometry_kinds(ds.other_layers[size_t(L.other)]);
        // The colours darken_scene_for_wall gave the map; the fill a little stronger, as a swatch.
        out.push_back({ds.other_layers[size_t(L.other)].name, k, with_alpha(dark_muted(st.fill), 140),
                       dark_muted(k.polygons ? st.outline : k.lines ? st.line : st.point)});
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Analysis overlays
// ---------------------------------------------------------------------------------------------

LayerId wall_overlay_layer(const std::string& overlay) {
    if (overlay == "gaps") return LayerId::Gaps;
    if (overlay == "kde") return LayerId::Hotspots;
    if (overlay == "coverage") return LayerId::Coverage;
    if (overlay == "gi") return LayerId::GiCells;
    if (overlay == "warning") return LayerId::WarningCells;
    if (overlay == "checks") return LayerId::CheckCells;
    return LayerId::Count;
}

namespace {

/** The incidents of the 12 months ending with `month` ("YYYY-MM"; anything else: all). */
IncidentFilter last_twelve_months(const std::string& month) {
    IncidentFilter f;
    if (const auto span = parse_iso_span(month); span && month.size() == 7)
        f.window = months_ending(span->end - 1, 12);  // the month's last second: its last day
    return f;
}

}  // namespace


void add_wall_gi_overlay(Scene& map, const Dataset& ds, const std::string& month) {
    if (ds.grids_of_level(4).empty()) return;  // nothing to colour
    GiSetup setup;  // queen contiguity on level 4, normal p-values: what the briefing shows
    GiAnalysis a;
    try {
        a = gi_star_analysis(ds, filter_incidents(ds, last_twelve_months(month)), setup);
    } catch (const Error& e) {  // cells that cannot be told apart: no colours rather than wrong ones
        std::fprintf(stderr, "warning: the wall's Gi* overlay is left out: %s\n",
                     without_secrets(e.what()).c_str());
        return;
    }
    SceneLayer& L = ensure_layer(map, LayerId::GiCells, "gi", LayerId::Grids);
    L.fills.clear(), L.lines.clear();
    for (size_t i = 0; i < a.units.size() && i < a.result.cls.size(); ++i)
        if (a.result.cls[i] != "ns")
            add_polygons(L, map.origin, a.units[i]->shape, gi_class_rgba(a.result.cls[i]), 0, 0);
    L.visible = false;
    ++L.revision;
}

void add_wall_warning_overlay(Scene& map, const Dataset& ds, const std::string& month) {
    if (ds.grids_of_level(4).empty()) return;  // nothing to colour
    // A malformed project file is the user's to fix: its error (file and key) ends the run.
    const WarningThresholds t = load_warning_thresholds(project_path_for(ds.source));
    WarningCells w;
    try {
        w = four_colour_warning(ds, filter_incidents(ds, last_twelve_months(month)), 4, t);
    } catch (const Error& e) {  // cells that cannot be told apart: no colours rather than wrong ones
        std::fprintf(stderr, "warning: the wall's warning overlay is left out: %s\n",
                     without_secrets(e.what()).c_str());
        return;
    }
    SceneLayer& L = ensure_layer(map, LayerId::WarningCells, "warning", LayerId::Grids);
    L.fills.clear(), L.lines.clear();
    for (size_t i = 0; i < w.units.size(); ++i)
        add_polygons(L, map.origin, w.units[i]->shape, with_alpha(warning_rgba(w.colour[i]), 120), 0, 0);
    L.visible = false;
    ++L.revision;
}

void add_wall_checks_overlay(Scene& map, const Dataset& ds, const std::string& date) {
    const auto span = parse_iso_span(date);
    if (!span || ds.checks.empty() || ds.grids_of_level(4).empty()) return;
    ChecksOptions o;
    o.date = span->begin;
    o.days = 1;
    const ChecksReport r = compute_checks(ds, o);
    SceneLayer& L = ensure_layer(map, LayerId::CheckCells, "check_cells", LayerId::Choropleth);
    L.fills.clear(), L.lines.clear();
    // Stronger than the panel's: on the dark map a translucent fill reads as a grey.
    add_check_cells(L, map.origin, ds, r, 170);
    L.visible = false;
}

void add_wall_coverage_overlays(Scene& map, const Dataset& ds, const CoverageReport& report) {
    SceneLayer& cov = ensure_layer(map, LayerId::Coverage, "coverage", LayerId::Choropleth);
    cov.fills.clear(), cov.lines.clear();
    const auto cells = ds.grids_of_level(report.level);
    for (size_t i = 0; i < cells.size() && i < report.cells.size(); ++i)
        add_polygons(cov, map.origin, cells[i]->shape, with_alpha(coverage_color(report.cells[i].coverage), 110),
                     0, 0);
    cov.visible = false;
    ++cov.revision;

    // A clear magenta on the dark map: translucent fill, solid outline wide enough for 5 m away.
    SceneLayer& gaps = ensure_layer(map, LayerId::Gaps, "gaps", LayerId::Grids);
    gaps.fills.clear(), gaps.lines.clear();
    for (const Gap& g : report.gaps) add_polygons(gaps, map.origin, g.shape, with_alpha(kWallGap, 110), kWallGap, 2.5f);
    gaps.visible = false;
    ++gaps.revision;
}

void add_wall_kde_overlay(Scene& map, const Dataset& ds, const std::string& month) {
    std::vector<Vec2> pts;
    for (const Incident* in : filter_incidents(ds, last_twelve_months(month))) pts.push_back(in->pos);
    if (pts.empty()) return;
    // The raster spans the points grown by the bandwidth: cells of 10 m (community size), coarser
    // where that would pass ~4096 px on a side (county size).
    Box b;
    for (Vec2 p : pts) b.add(p);
    const double h = pts.size() > 1 ? silverman_bandwidth(pts) : 0;
    KdeOptions o;
    o.bandwidth_m = 0;  // Silverman, as kernel_density computes it
    o.cell_m = std::max(10.0, (std::max(b.width(), b.height()) + 2 * h) / 4096);
    KdeRaster r;
    try {
        r = kernel_density(pts, o);
    } catch (const std::exception&) {
        return;  // degenerate points (one incident, all in one place): no surface to show
    }
    if (r.width <= 0 || r.height <= 0 || r.max_density <= 0) return;
    SceneLayer& L = ensure_layer(map, LayerId::Hotspots, "hotspots", LayerId::Buildings);
    L.fills.clear(), L.lines.clear(), L.points.clear();
    L.raster = to_scalar_raster(r);
    L.visible = false;
    ++L.revision;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Fonts
// ---------------------------------------------------------------------------------------------

namespace {

// Text of the layout beyond the UI string table (viewer_text.h, which holds its captions, legend
// and units): the clock's weekday and the figures' signs.
const char* const kWallUiText = "星期日一二三四五六年月/%·,：:–+…";

}  // namespace

std::string wall_days_since_label(int cls, Lang lang) {
    if (cls >= kDaysSinceClasses - 1) return tr(Ui::WallNever, lang);
    return std::string(days_since_label(cls)) + tr(Ui::WallDaysUnit, lang);
}

std::string wall_glyph_text(const Dataset& ds, const std::vector<gw::Scene>& scenes) {
    std::string t = all_ui_text() + kWallUiText;
    // Map labels: grid and enterprise names (no person is ever labelled on the map).
    for (const auto& g : ds.grids) t += g.name;
    // The 今日巡查 scene lists the cells not checked with their managers, masked.
    if (!ds.checks.empty())
        for (const auto& g : ds.grids)
            if (g.level == 4) t += wall_person_label(g.manager);
    for (const auto& e : ds.enterprises) t += e.name;
    for (const auto& o : ds.other_layers) t += o.name;  // legend entries of layers no role uses
    for (const auto& s : scenes) t += wall_mask_text(s.title + " " + s.subtitle, ds);
    return t;
}

WallFonts load_wall_fonts(ImFontAtlas* atlas, int w, int h, const std::string& text) {
    WallFonts f;
    const float s = wall_scale(w, h);
    f.title_px = std::round(76 * s);
    f.text_px = std::round(50 * s);
    f.figure_px = std::round(104 * s);
    if (cjk_font_path().empty()) {
        f.title = f.text = f.figure = atlas->AddFontDefault();
        return f;
    }
    // Glyph ranges must outlive the atlas build; a process opens at most a few walls.
    static std::vector<std::unique_ptr<ImVector<ImWchar>>> keep;
    auto ranges = [&](const std::string& chars) {
        ImFontGlyphRangesBuilder b;
        b.AddText(chars.c_str(), chars.c_str() + chars.size());
        keep.push_back(std::make_unique<ImVector<ImWchar>>());
        b.BuildRanges(keep.back().get());
        return keep.back()->Data;
    };
    std::string ascii;
    for (char c = 32; c < 127; ++c) ascii += c;
    // Each size only with the glyphs it draws: at 4320 px high a figure glyph is ~400 px square.
    const ImWchar* all = ranges(ascii + text + kWallUiText);
    const ImWchar* digits = ranges("0123456789,./%-: …—");
    f.text = add_cjk_font(atlas, f.text_px, all);
    f.title = add_cjk_font(atlas, f.title_px, all);
    f.figure = add_cjk_font(atlas, f.figure_px, digits);
    f.cjk = f.text && f.title && f.figure;
    if (!f.cjk) f.title = f.text = f.figure = atlas->AddFontDefault();
    return f;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Layout and drawing
// ---------------------------------------------------------------------------------------------

std::vector<PlacedLabel> wall_labels(const Scene& scene, const MapView& view, const WallFonts& fonts,
                                     bool beside_list) {
    // Candidates carry a relative size (darken_scene_for_wall); place at the wall's text size.
    Scene sized;
    sized.layers.reserve(scene.layers.size());
    for (const auto& L : scene.layers) {
        SceneLayer l;
        l.id = L.id, l.visible = L.visible, l.opacity = L.opacity;
        sized.layers.push_back(std::move(l));
    }
    sized.labels = scene.labels;
    for (auto& c : sized.labels) c.size_px = std::round(fonts.text_px * std::min(c.size_px, 1.0f));
    const float min_px = std::floor(kWallMinTextPx * wall_scale(view.width, view.height));
    ImFont* f = fonts.text;
    auto measure = [f](const std::string& t, float px) {
        const ImVec2 s = f->CalcTextSizeA(px, 1e9f, 0, t.c_str(), t.c_str() + t.size());
        return Vec2{s.x, s.y};
    };
    std::vector<PlacedLabel> placed = place_labels(sized, view, measure);
    // Only names wholly inside the map area (right of the list's column, where there is one): the
    // panels would cut the others.
    const WallLayout L = wall_layout(view.width, view.height);
    const Box area = beside_list ? L.beside_list : L.map;
    std::vector<PlacedLabel> out;
    for (auto p : placed) {
        if (p.px < min_px) continue;
        if (p.min.x < area.xmin || p.min.y < area.ymin || p.min.x + p.size.x > area.xmax ||
            p.min.y + p.size.y > area.ymax)
            continue;
        // Point back at the caller's candidate (same index), which outlives this function.
        p.candidate = &scene.labels[size_t(p.candidate - sized.labels.data())];
        out.push_back(p);
    }
    return out;
}

float wall_scale(int w, int h) { return std::max(0.25f, std::min(w, h) / 1080.f); }

WallLayout wall_layout(int w, int h) {
    WallLayout L;
    const float s = L.scale = wall_scale(w, h);
    const double band = 170 * s, legend = 96 * s, gap = 16 * s;
    L.title_band = {0, 0, double(w), band};
    L.portrait = h > w;
    if (!L.portrait) {
        const double tiles_w = std::min(560.0 * s, w * 0.4), th = (h - band - gap) / 4;
        L.tiles = {w - tiles_w, band, double(w), double(h)};
        L.legend_band = {0, h - legend, w - tiles_w, double(h)};
        L.map = {0, band, w - tiles_w, h - legend};
        for (int i = 0; i < 4; ++i)
            L.tile[size_t(i)] = {L.tiles.xmin + gap, band + gap + i * th, L.tiles.xmax - gap,
                                 band + (i + 1) * th};
    } else {
        // Two rows of two, each tile as tall as on a 1080p landscape wall.
        const double th = (1080 - 170 - 16) / 4.0 * s, tw = (w - gap) / 2;
        L.tiles = {0, h - 2 * th - gap, double(w), double(h)};
        L.legend_band = {0, L.tiles.ymin - legend, double(w), L.tiles.ymin};
        L.map = {0, band, double(w), L.legend_band.ymin};
        for (int i = 0; i < 4; ++i) {
            const double x = gap + (i % 2) * tw, y = L.tiles.ymin + gap + (i / 2) * th;
            L.tile[size_t(i)] = {x, y, x + tw - gap, y + th - gap};
        }
    }
    const Box& m = L.map;
    const double list_w = std::min(600.0 * s, m.width() * 0.45);
    if (m.width() - list_w >= 0.6 * m.height()) {
        L.list = {m.xmin, m.ymin, m.xmin + list_w, m.ymax};
        L.beside_list = {L.list.xmax, m.ymin, m.xmax, m.ymax};
    } else {
        // A header, four cells and the "… N more" line, at most 45% of the map.
        const double rows = 6 * std::round(50 * s) * 1.2 + 56 * s;
        L.list = {m.xmin, m.ymin, m.xmax, m.ymin + std::min(rows, 0.45 * m.height())};
        L.beside_list = {m.xmin, L.list.ymax, m.xmax, m.ymax};
    }
    return L;
}

namespace {

ImU32 col(Rgba c) { return ImU32(c); }

std::string thousands(int v) {
    std::string s = std::to_string(std::abs(v)), out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i && (s.size() - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return v < 0 ? "-" + out : out;
}

struct Painter {
    ImDrawList* dl;
    const WallFonts& f;
    Vec2 off;
    Lang lang;
    std::string t(Ui id) const { return tr(id, lang); }
    ImVec2 p(double x, double y) const { return ImVec2(float(x + off.x), float(y + off.y)); }
    void rect(const Box& b, ImU32 c, float round = 0) const {
        dl->AddRectFilled(p(b.xmin, b.ymin), p(b.xmax, b.ymax), c, round);
    }
    float width(ImFont* font, float px, const std::string& t) const {
        return font->CalcTextSizeA(px, 1e9f, 0, t.c_str(), t.c_str() + t.size()).x;
    }
    void text(ImFont* font, float px, double x, double y, ImU32 c, const std::string& t) const {
        dl->AddText(font, px, p(std::round(x), std::round(y)), c, t.c_str(), t.c_str() + t.size());
    }
    /** Text shrunk (never below the minimum size) to fit `max_w`. */
    float fit(ImFont* font, float px, float min_px, double max_w, const std::string& t) const {
        const float w = width(font, px, t);
        return w <= max_w ? px : std::max(min_px, float(px * max_w / w));
    }
    /**
     * A caption drawn within `max_w`: shrunk as fit() does, and cut with "…" where even the legible
     * size is too wide (a narrow wall), rather than run into what lies beside it. Not for figures.
     */
    void caption(ImFont* font, float px, float min_px, double max_w, double x, double y, ImU32 c,
                 const std::string& t) const {
        const float size = fit(font, px, min_px, max_w, t);
        text(font, size, x, y, c, cut_to_width(font, size, float(std::max(0.0, max_w)), t));
    }
};

/** 0.617 → "61.7%". */
std::string percent(double v) {
    const int t = int(std::lround(v * 1000));
    return std::to_string(t / 10) + "." + std::to_string(t % 10) + "%";
}

const ImU32 kTileBg = IM_COL32(34, 42, 58, 255), kWhite = IM_COL32(240, 244, 250, 255),
            kSoft = IM_COL32(170, 182, 200, 255);

/** A figure tile: its caption over one figure, each shrunk (never below the minimum) to fit. */
void figure_tile(const Painter& P, const Box& b, float s, float min_px, const std::string& cap,
                 const std::string& figure, ImU32 colour) {
    const float xp = P.f.text_px, fp = P.f.figure_px;
    P.rect(b, kTileBg, 10 * s);
    const double inner = b.width() - 2 * 24 * s;
    P.caption(P.f.text, xp, min_px, inner, b.xmin + 24 * s, b.ymin + 10 * s, kSoft, cap);
    const double fy = b.ymin + 10 * s + xp * 1.1;
    const float px = P.fit(P.f.figure, fp, min_px, inner, figure);
    P.text(P.f.figure, px, b.xmin + 24 * s, fy + (fp - px) * 0.5, colour, figure);
}

/** The 今日巡查 tiles: share of L4 cells checked on the day, cells not checked, newcomers, returnees. */
void draw_checks_tiles(const Painter& P, const WallLayout& L, const WallChecks& k, float min_px) {
    const float s = L.scale;
    const std::string first = k.date_from_data ? P.t(Ui::WallChecked) + " " + k.date : P.t(Ui::WallCheckedToday);
    figure_tile(P, L.tile[0], s, min_px, first, percent(k.share()), kWhite);
    // The colours of the map's legend: not checked for days reads in the 7+ red when any is.
    const ImU32 overdue = k.overdue.empty() ? kWhite : ImU32(days_since_rgba(3));
    figure_tile(P, L.tile[1], s, min_px, P.t(Ui::WallUnchecked), thousands(int(k.overdue.size())), overdue);
    figure_tile(P, L.tile[2], s, min_px, P.t(Ui::WallNewcomers), thousands(k.newcomers), ImU32(check_kind_rgba("newcomer")));
    figure_tile(P, L.tile[3], s, min_px, P.t(Ui::WallReturnees), thousands(k.returnees), ImU32(check_kind_rgba("returnee")));
}

/**
 * The cells not checked on the day, worst first, in the layout's list (a column at the map's left,
 * or a band across its top): name, days since the last check (从未: never), the manager masked; as
 * many rows as fit in the list, at most 60% of the map's height. With none, the list says 全部已巡查
 * rather than stand empty. Text too long for the list is cut with "…".
 */
void draw_overdue_list(const Painter& P, const WallLayout& L, const WallChecks& k, double pad) {
    const float s = L.scale, xp = P.f.text_px;
    const double row = xp * 1.2, inner = 20 * s, gap = 28 * s;
    const double x0 = L.list.xmin + pad, y0 = L.list.ymin + 16 * s;
    const double room = std::max(0.0, L.list.xmax - 16 * s - x0 - 2 * inner);
    auto cut = [&](double max_w, const std::string& t) {
        return cut_to_width(P.f.text, xp, float(max_w), t);
    };
    auto width_of = [&](const std::string& t) { return double(P.width(P.f.text, xp, t)); };

    const double tall = std::min(L.map.height() * 0.6, L.list.ymax - y0 - 2 * inner);
    const size_t fit = size_t(std::max(2.0, tall / row + 1e-6)) - 1;  // the header takes one row
    const bool more = k.overdue.size() > fit;
    const size_t rows = more ? fit - 1 : k.overdue.size();
    struct Row {
        std::array<std::string, 3> text;
        int cls;
    };
    std::vector<Row> cells;
    for (size_t i = 0; i < rows; ++i) {
        const auto& o = k.overdue[i];
        cells.push_back({{o.name, o.days ? std::to_string(*o.days) + P.t(Ui::WallDaysUnit) : P.t(Ui::WallNever), o.manager},
                         days_since_class(o.days)});
    }
    // The days as they are (short); the names, then the managers, share what is left, the names
    // keeping at least half of it.
    double w[3] = {0, 0, 0};
    for (const auto& c : cells)
        for (size_t j = 0; j < 3; ++j) w[j] = std::max(w[j], width_of(c.text[j]));
    const double rest = std::max(0.0, room - w[1] - 2 * gap);
    if (w[0] + w[2] > rest) {
        const double names = std::max(rest * 0.55, rest - w[2]);
        w[0] = w[2] = 0;
        for (auto& c : cells) w[0] = std::max(w[0], width_of(c.text[0] = cut(names, c.text[0])));
        for (auto& c : cells) w[2] = std::max(w[2], width_of(c.text[2] = cut(rest - w[0], c.text[2])));
    }
    const std::string header = cut(room, P.t(Ui::WallUnchecked));
    const std::string last =
        cells.empty() ? cut(room, P.t(Ui::WallAllChecked))
        : more        ? cut(room, P.t(Ui::WallMoreBefore) + std::to_string(k.overdue.size() - rows) +
                                      P.t(Ui::WallMoreAfter))
                      : "";
    const double width = std::min(room, std::max({cells.empty() ? 0.0 : w[0] + w[1] + w[2] + 2 * gap,
                                                  width_of(header), width_of(last)}));
    const size_t lines = 1 + rows + (last.empty() ? 0 : 1);
    P.rect({x0, y0, x0 + width + 2 * inner, y0 + lines * row + 2 * inner}, IM_COL32(16, 20, 28, 215), 8 * s);
    double y = y0 + inner;
    P.text(P.f.text, xp, x0 + inner, y, kSoft, header);
    for (const auto& c : cells) {
        y += row;
        P.text(P.f.text, xp, x0 + inner, y, kWhite, c.text[0]);
        // The days in their legend colour; never's dark purple would not read on the dark panel.
        const Rgba dc = c.cls == kDaysSinceClasses - 1 ? rgba(190, 150, 230) : days_since_rgba(c.cls);
        P.text(P.f.text, xp, x0 + inner + w[0] + gap, y, ImU32(dc), c.text[1]);
        P.text(P.f.text, xp, x0 + inner + w[0] + w[1] + 2 * gap, y, kSoft, c.text[2]);
    }
    if (!last.empty())
        P.text(P.f.text, xp, x0 + inner, y + row, cells.empty() ? ImU32(days_since_rgba(0)) : kSoft, last);
}

/** A round scale-bar length: 1, 2 or 5 × 10^k metres no longer than `max_m`. */
double nice_length(double max_m) {
    const double p = std::pow(10, std::floor(std::log10(std::max(max_m, 1e-3))));
    for (double m : {5.0, 2.0, 1.0})
        if (m * p <= max_m) return m * p;
    return p;
}

/** How wide a legend's entries are: their names, and the rest (symbols and gaps). */
struct LegendWidth {
    double text = 0, other = 0;
};

/**
 * The legend's entries along the band's middle line `cy` from `x`: names `xp` pixels tall, symbols
 * and gaps sized by `s`. The checks scene keys its days-since classes only; the others the map's
 * layers and the scene's overlay.
 */
LegendWidth draw_legend(const Painter& P, const std::string& overlay, bool checks, double x, double cy,
                        float s, float xp) {
    const double x0 = x;
    double text_w = 0, trail = 0;  // trail: the gap after the last name, not part of the width
    auto name = [&](const std::string& t, double after) {
        P.text(P.f.text, xp, x, cy - xp / 2, kWhite, t);
        text_w += P.width(P.f.text, xp, t);
        x += P.width(P.f.text, xp, t) + after;
        trail = after;
    };
    auto label = [&](Ui id) { name(P.t(id), 44 * s); };
    const float sw = 36 * s;
    if (checks) {
        // The days-since classes the cells are coloured by, and nothing else: this scene is about them.
        label(Ui::WallSinceLastCheck);
        for (int k = 0; k < kDaysSinceClasses; ++k) {
            P.dl->AddRectFilled(P.p(x, cy - sw * 0.45), P.p(x + sw * 0.9, cy + sw * 0.45),
                                col(with_alpha(days_since_rgba(k), 170)));
            x += sw * 0.9 + 10 * s;
            name(wall_days_since_label(k, P.lang), 26 * s);
        }
    } else {
        P.dl->AddLine(P.p(x, cy), P.p(x + sw * 1.4, cy), col(dark_muted(rgba(20, 20, 28))), 5 * s);
        x += sw * 1.4 + 12 * s;
        label(Ui::WallGrid);
        P.dl->AddTriangleFilled(P.p(x, cy), P.p(x + sw * 1.3, cy - sw * 0.6),
                                P.p(x + sw * 1.3, cy + sw * 0.6), col(with_alpha(kWallView, 160)));
        x += sw * 1.3 + 12 * s;
        label(Ui::WallViews);
        P.dl->AddCircleFilled(P.p(x + sw / 2, cy), sw * 0.4f, col(kWallCamera), 24);
        x += sw + 12 * s;
        label(Ui::WallCameras);
        P.dl->AddCircleFilled(P.p(x + sw / 2, cy), sw * 0.3f, col(dark_muted(rgba(108, 117, 125))), 24);
        x += sw + 12 * s;
        label(Ui::WallResidents);
        for (int k = 0; k < 4; ++k) {
            static const char* const names[] = {"red", "yellow", "blue", "green"};
            P.dl->AddCircleFilled(P.p(x + sw * 0.4, cy), sw * 0.36f, col(warning_rgba(names[k])), 24);
            x += sw * 0.9;
        }
        x += 12 * s;
        label(Ui::WallIncidents);
    }
    // The scene's analysis overlay, in the colours the map draws it: a run of swatches, then its name.
    auto swatches = [&](std::initializer_list<ImU32> colours) {
        for (ImU32 c : colours) {
            P.dl->AddRectFilled(P.p(x, cy - sw * 0.35), P.p(x + sw * 0.6, cy + sw * 0.35), c);
            x += sw * 0.6;
        }
        x += 12 * s;
    };
    if (overlay == "gaps") {
        P.dl->AddRectFilled(P.p(x, cy - sw * 0.5), P.p(x + sw * 1.3, cy + sw * 0.5),
                            col(with_alpha(kWallGap, 110)));
        P.dl->AddRect(P.p(x, cy - sw * 0.5), P.p(x + sw * 1.3, cy + sw * 0.5), col(kWallGap), 0, 0, 3 * s);
        x += sw * 1.3 + 12 * s;
        label(Ui::WallGaps);
    } else if (overlay == "kde") {
        // The ramp of shaders/raster_fs.glsl (YlOrRd), low to high.
        const ImU32 stops[] = {IM_COL32(255, 237, 160, 150), IM_COL32(252, 178, 76, 200),
                               IM_COL32(240, 59, 32, 230), IM_COL32(128, 0, 38, 255)};
        const double bw = sw * 3;
        for (int i = 0; i < 3; ++i)
            P.dl->AddRectFilledMultiColor(P.p(x + bw * i / 3, cy - sw * 0.35),
                                          P.p(x + bw * (i + 1) / 3, cy + sw * 0.35), stops[i], stops[i + 1],
                                          stops[i + 1], stops[i]);
        x += bw + 12 * s;
        label(Ui::WallDensity);
    } else if (overlay == "coverage") {
        swatches({col(coverage_color(0.1)), col(coverage_color(0.3)), col(coverage_color(0.5)),
                  col(coverage_color(0.7)), col(coverage_color(0.9))});
        label(Ui::WallCoverage);
    } else if (overlay == "gi") {
        swatches({col(gi_class_rgba("hot99")), col(gi_class_rgba("hot95")), col(gi_class_rgba("hot90"))});
        label(Ui::WallHot);
        swatches({col(gi_class_rgba("cold99")), col(gi_class_rgba("cold95")), col(gi_class_rgba("cold90"))});
        label(Ui::WallCold);
    } else if (overlay == "warning") {
        swatches({col(with_alpha(warning_rgba("red"), 120)), col(with_alpha(warning_rgba("yellow"), 120)),
                  col(with_alpha(warning_rgba("blue"), 120)), col(with_alpha(warning_rgba("green"), 120))});
        label(Ui::WallWarning);
    }
    return {text_w, x - trail - x0 - text_w};
}

}  // namespace

void draw_wall_overlay(ImDrawList* dl, const WallFonts& fonts, const WallContent& c, int w, int h,
                       Vec2 offset) {
    const WallLayout L = wall_layout(w, h);
    const float s = L.scale;
    const Painter P{dl, fonts, offset, c.lang};
    const ImU32 panel = IM_COL32(22, 28, 40, 255), tile_bg = IM_COL32(34, 42, 58, 255),
                white = IM_COL32(240, 244, 250, 255), soft = IM_COL32(170, 182, 200, 255),
                accent = IM_COL32(120, 196, 255, 255);
    const float tp = fonts.title_px, xp = fonts.text_px, fp = fonts.figure_px;
    const float min_px = std::round(kWallMinTextPx * s);
    const double pad = 40 * s;

    // Map labels first, under the panels: light text on a dark halo.
    if (c.labels)
        for (const auto& l : *c.labels) {
            const std::string& t = l.candidate->text;
            const ImVec2 at = P.p(std::round(l.min.x), std::round(l.min.y));
            const float hw = std::max(1.0f, std::round(2 * s));
            for (float dy = -hw; dy <= hw; dy += hw)
                for (float dx = -hw; dx <= hw; dx += hw)
                    if (dx != 0 || dy != 0)
                        dl->AddText(fonts.text, l.px, ImVec2(at.x + dx, at.y + dy), IM_COL32(10, 14, 20, 230),
                                    t.c_str(), t.c_str() + t.size());
            dl->AddText(fonts.text, l.px, at, col(l.candidate->color), t.c_str(), t.c_str() + t.size());
        }

    // Title band: title and subtitle left, clock and date right.
    P.rect(L.title_band, panel);
    dl->AddLine(P.p(0, L.title_band.ymax), P.p(w, L.title_band.ymax), IM_COL32(70, 90, 120, 255), 3 * s);
    const float clock_w = std::max(P.width(fonts.title, tp, c.clock), P.width(fonts.text, xp, c.date));
    const double title_w = std::max(0.0, w - 3 * pad - clock_w);
    // Beside the clock and date, never across them.
    P.caption(fonts.title, tp, min_px, title_w, pad, 8 * s, white, c.title);
    std::string sub = c.subtitle;
    if (!c.scene_counter.empty()) sub += (sub.empty() ? "" : "   ") + c.scene_counter;
    P.caption(fonts.text, xp, min_px, title_w, pad, 8 * s + tp * 1.05, soft, sub);
    P.text(fonts.title, tp, w - pad - P.width(fonts.title, tp, c.clock), 8 * s, white, c.clock);
    P.text(fonts.text, xp, w - pad - P.width(fonts.text, xp, c.date), 8 * s + tp * 1.05, soft, c.date);

    // Figure tiles: the 今日巡查 scene has its own four.
    P.rect(L.tiles, panel);
    const WallFigures& F = c.figures;
    const bool checks = c.overlay == "checks" && F.checks;
    if (checks) draw_checks_tiles(P, L, *F.checks, min_px);

    const std::string captions[] = {P.t(Ui::WallHouseholds), P.t(Ui::WallCamerasOnline), P.t(Ui::WallCoverage),
                                    P.t(Ui::WallIncidentsMonth)};
    std::string figures[3] = {
        thousands(F.households), thousands(F.cameras_online) + " / " + thousands(F.cameras_total),
        F.coverage ? std::to_string(int(std::lround(*F.coverage * 1000)) / 10) + "." +
                         std::to_string(int(std::lround(*F.coverage * 1000)) % 10) + "%"
                   : F.coverage_unavailable ? "—" : "…"};
    for (int i = 0; i < 4 && !checks; ++i) {
        const Box& b = L.tile[size_t(i)];
        P.rect(b, tile_bg, 10 * s);
        std::string cap = captions[i];
        if (i == 3) cap = (F.month_from_data ? P.t(Ui::WallIncidents) : cap) + " " + F.month;
        const double inner = b.width() - 2 * 24 * s;
        P.caption(fonts.text, xp, min_px, inner, b.xmin + 24 * s, b.ymin + 10 * s, soft, cap);
        const double fy = b.ymin + 10 * s + xp * 1.1;
        if (i < 3) {
            const float px = P.fit(fonts.figure, fp, min_px, inner, figures[i]);
            P.text(fonts.figure, px, b.xmin + 24 * s, fy + (fp - px) * 0.5, i == 1 ? accent : white, figures[i]);
        } else {
            // Four counts, two by two, each behind its warning colour swatch.
            static const char* const names[] = {"red", "yellow", "blue", "green"};
            const double cw = inner / 2, rh = (b.ymax - fy - 8 * s) / 2;
            const float px = std::max(min_px, std::min(fp * 0.8f, float(rh * 0.95)));
            for (int k = 0; k < 4; ++k) {
                const double x = b.xmin + 24 * s + (k % 2) * cw, y = fy + (k / 2) * rh;
                const double sw = px * 0.55;
                P.rect({x, y + (rh - sw) / 2, x + sw, y + (rh + sw) / 2}, col(warning_rgba(names[k])), 6 * s);
                P.text(fonts.figure, px, x + sw + 16 * s, y + (rh - px) / 2, white, thousands(F.incidents[size_t(k)]));
            }
        }
    }

    // Legend along the bottom of the map, measured first on a scratch list: where it would run past
    // its band (English names, a portrait wall), names and symbols shrink alike down to the names'
    // legible size, then the symbols and gaps alone (to 40%), and past that all of it alike.
    P.rect(L.legend_band, panel);
    const double cy = L.legend_band.ymin + L.legend_band.height() / 2;
    const double room = L.legend_band.width() - 2 * pad;
    ImDrawList scratch(dl->_Data);
    scratch._ResetForNewFrame();
    scratch.PushClipRectFullScreen();
    scratch.PushTextureID(fonts.text->ContainerAtlas->TexID);
    const LegendWidth natural =
        draw_legend(Painter{&scratch, fonts, offset, c.lang}, c.overlay, checks, 0, cy, s, xp);
    float ks = 1, kx = 1;
    if (natural.text + natural.other > room) {
        kx = std::max(min_px / xp, float(room / (natural.text + natural.other)));
        ks = float(std::clamp((room - natural.text * kx) / std::max(1.0, natural.other), 0.4, 1.0));
        if (natural.text * kx + natural.other * ks > room)
            kx = ks = float(room / (natural.text + natural.other));
    }
    draw_legend(P, c.overlay, checks, pad, cy, s * ks, xp * kx);
    if (checks) draw_overdue_list(P, L, *F.checks, pad);
    // The source's layers no role uses: the legend band is full with the fixed entries, so they
    // get a key of their own on the map's bottom-left corner, one row each, as many as fit in half
    // the map's height (a name is never cut).
    if (!c.others.empty()) {
        const float sw = 36 * s;
        const double row = xp * 1.25, inner = 20 * s, sym = sw * 1.3;
        const size_t rows = std::min(c.others.size(), size_t(std::max(1.0, L.map.height() * 0.5 / row)));
        double text_w = 0;
        for (size_t i = 0; i < rows; ++i) text_w = std::max(text_w, double(P.width(fonts.text, xp, c.others[i].name)));
        const double x0 = L.map.xmin + pad, y1 = L.map.ymax - 8 * s, y0 = y1 - rows * row - 2 * inner;
        P.rect({x0, y0, x0 + 2 * inner + sym + 12 * s + text_w, y1}, IM_COL32(16, 20, 28, 200), 8 * s);
        for (size_t i = 0; i < rows; ++i) {
            const WallLegendEntry& e = c.others[i];
            const double ex = x0 + inner, ey = y0 + inner + i * row + row / 2;
            if (e.kinds.polygons) {
                dl->AddRectFilled(P.p(ex, ey - sw * 0.45), P.p(ex + sym, ey + sw * 0.45), col(e.fill));
                dl->AddRect(P.p(ex, ey - sw * 0.45), P.p(ex + sym, ey + sw * 0.45), col(e.outline), 0, 0, 3 * s);
            } else if (e.kinds.lines) {
                dl->AddBezierCubic(P.p(ex, ey + sw * 0.4), P.p(ex + sym * 0.45, ey - sw * 0.6),
                                   P.p(ex + sym * 0.55, ey + sw * 0.6), P.p(ex + sym, ey - sw * 0.4), col(e.outline),
                                   4 * s);
            } else {
                dl->AddCircleFilled(P.p(ex + sym / 2, ey), sw * 0.3f, col(e.outline), 24);
            }
            P.text(fonts.text, xp, ex + sym + 12 * s, ey - xp / 2, white, e.name);
        }
    }

    // The shared store's state on the map's top-right corner, where every seat of the room sees it.
    if (!c.status_badge.empty()) {
        const double tw = P.width(fonts.text, xp, c.status_badge), inner = 20 * s;
        // Right of or under the checks scene's list, never over it.
        const Box& m = c.overlay == "checks" ? L.beside_list : L.map;
        const double x1 = m.xmax - pad, x0 = x1 - tw - 2 * inner, y0 = m.ymin + 16 * s;
        P.rect({x0, y0, x1, y0 + xp + 2 * inner * 0.6}, c.status_alarm ? IM_COL32(200, 30, 40, 240) : IM_COL32(16, 20, 28, 215),
               8 * s);
        P.text(fonts.text, xp, x0 + inner, y0 + inner * 0.6, c.status_alarm ? white : soft, c.status_badge);
    }

    // Scale bar on the map's bottom-right corner: a round length at most a fifth of the map width.
    if (c.mpp > 0) {
        const double m = nice_length(L.map.width() * 0.2 * c.mpp), px = m / c.mpp;
        const std::string t = m >= 1000 ? thousands(int(m / 1000)) + " km" : thousands(int(m)) + " m";
        const double tw = P.width(fonts.text, xp, t);
        const double x1 = L.map.xmax - pad, x0 = x1 - px, by = L.map.ymax - 24 * s;
        P.rect({x0 - tw - 44 * s, by - xp - 16 * s, x1 + 20 * s, L.map.ymax - 8 * s}, IM_COL32(16, 20, 28, 200),
               8 * s);
        P.text(fonts.text, xp, x0 - tw - 24 * s, by - xp * 0.5 - 20 * s, white, t);
        dl->AddRectFilled(P.p(x0, by - 26 * s), P.p(x1, by - 14 * s), white);
        dl->AddRectFilled(P.p(x0, by - 38 * s), P.p(x0 + 5 * s, by - 2 * s), white);
        dl->AddRectFilled(P.p(x1 - 5 * s, by - 38 * s), P.p(x1, by - 2 * s), white);
    }
}

}  // namespace gw::app
