// The 巡查 / Daily work panel (SPEC §5.5): a date slider over the days that have reports and a
// window of days; the L4 cells coloured by days since the last check (legend: 0 … 7+, never), the
// day's reports by kind, the window's patrol tracks by team (time in a tooltip), the road pieces
// neither a camera nor a patrol covers; the cells not checked on the day, click-to-zoom; a clicked
// cell's history. The figures are gw::compute_checks' and gw::compute_patrols', the very functions
// `gridwatch checks` and `gridwatch patrols` call.
//
// A slider move must redraw within a frame at county size (BENCHMARKS.md): the reports are indexed
// by day and cell once (gw::ChecksIndex) and each move computes only the cells and the window's
// reports, into the storage of the previous report; the cells are triangulated once and only
// recoloured, one colour a cell sent to the GPU (SceneLayer::fill_colors), the vertices never again;
// the month's tracks are laid into their layer once, grouped by day, and a move only picks the
// window's groups (nothing re-uploaded); the patrols report of the window is computed on a
// background thread (as the hotspots panel runs Gi*) and kept for it.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <map>
#include <set>
#include <unordered_map>

#include "app/viewer/viewer.h"
#include "geo/analysis/checks.h"
#include "geo/analysis/patrols.h"
#include "geo/core/error.h"
#include "geo/core/parallel.h"
#include "geo/core/text.h"

namespace gw::app {

struct DailyState {
    std::vector<int64_t> days;  // the starts of the days that have reports, ascending (civil seconds)
    int day = 0;                // index into days
    int window = 7;             // days in the window, ending on the day
    bool dirty = true;
    std::optional<ChecksIndex> index;  // the dataset's reports by day and cell, built when the panel opens
    std::optional<ChecksReport> checks;
    ChecksReport spare;                // the storage the next report is computed into
    std::string error;
    std::array<int, kDaysSinceClasses> classes{};
    std::set<const Check*> outside;  // reports of the window outside the cell they name
    // The cells' triangles are built once, each vertex naming its cell (the report's order): a
    // slider move only sets the cells' colours, the layer's fill_colors.
    bool cells_built = false;
    std::optional<PatrolDays> track_days;  // the month's tracks in their layer, by day
    // Patrols: the window's report, off the UI thread on a copy of the dataset (cameras are edited meanwhile).
    std::shared_ptr<const Dataset> data;
    std::future<PatrolsReport> running;
    TimeWindow running_window;
    std::optional<TimeWindow> wanted;  // the window asked for while a run was going
    std::optional<PatrolsReport> patrols;
    TimeWindow patrols_window;
    std::vector<size_t> tracks;            // ds.patrols drawn for the window
    std::map<std::string, int> teams;      // tracks drawn by team
    std::optional<ImVec2> first_overdue;   // where the overdue list's first row is on screen
    std::string hovered_track;             // the track under the cursor (tooltip)
    std::vector<double> recompute_ms;      // each date or window change: checks, recolouring, the Daily layer
    std::vector<double> upload_ms;         // each change's upload in the frame after it (--print-daily)
    std::vector<uint64_t> upload_bytes;    // … and the bytes it sent
    bool upload_pending = false;           // a change was made and its frame has not been drawn yet
    std::string history;                   // the history shown: "GRID checks N outside K", for --print-daily
    const Grid* history_cell = nullptr;    // the cell and window `by_day` lists
    TimeWindow history_window;
    std::map<int64_t, std::vector<const Check*>> by_day;  // its reports by day, in time order

    ~DailyState() {
        if (running.valid()) running.wait();
    }
};

namespace {

constexpr int64_t kDay = 86400;

int64_t day_start(int64_t t) { return t - ((t % kDay) + kDay) % kDay; }

TimeWindow window_of(const DailyState& d) {
    TimeWindow w;
    if (d.days.empty()) return w;
    const int64_t day = d.days[size_t(d.day)];
    w.from = day - int64_t(d.window - 1) * kDay;
    w.until = day + kDay;
    return w;
}

bool same(const TimeWindow& a, const TimeWindow& b) { return a.from == b.from && a.until == b.until; }

void init_days(DailyState& d, const Dataset& ds) {
    std::set<int64_t> days;
    for (const Check& c : ds.checks)
        if (c.when) days.insert(day_start(*c.when));
    d.days.assign(days.begin(), days.end());
    d.day = std::max(0, int(d.days.size()) - 1);  // the latest day, as `gridwatch checks` defaults
}

const char* kind_title(const ViewerState& st, const std::string& kind) {
    static const std::map<std::string, Ui> m = {{"routine", Ui::KindRoutine}, {"newcomer", Ui::KindNewcomer},
                                                {"returnee", Ui::KindReturnee}, {"hazard", Ui::KindHazard},
                                                {"dispute", Ui::KindDispute}, {"other", Ui::KindOther}};
    const auto it = m.find(kind);
    return it == m.end() ? kind.c_str() : st.t(it->second);
}

const char* team_title(const ViewerState& st, const std::string& team) {
    static const std::map<std::string, Ui> m = {{"patrol", Ui::TeamPatrol}, {"joint", Ui::TeamJoint},
                                                {"grid", Ui::TeamGrid}, {"video", Ui::TeamVideo}};
    const auto it = m.find(team);
    return it == m.end() ? team.c_str() : st.t(it->second);
}

SceneLayer& cells_layer(ViewerState& st) {
    return ensure_layer(st.scene, LayerId::CheckCells, "check_cells", LayerId::Choropleth);
}
SceneLayer& daily_layer(ViewerState& st) {
    // Over every layer of the dataset: tracks and the day's reports are what the panel is about.
    return ensure_layer(st.scene, LayerId::Daily, "daily", st.scene.layers.back().id);
}
/** Right under the Daily layer: the "neither" road pieces and the day's reports are drawn over the tracks. */
SceneLayer& tracks_layer(ViewerState& st) {
    for (auto& L : st.scene.layers)
        if (L.id == LayerId::DailyTracks) return L;
    daily_layer(st);
    const auto at = std::find_if(st.scene.layers.begin(), st.scene.layers.end(),
                                 [](const SceneLayer& L) { return L.id == LayerId::Daily; });
    SceneLayer L;
    L.id = LayerId::DailyTracks;
    L.key = "daily_tracks";
    return *st.scene.layers.insert(at, std::move(L));
}

/** The cells' fills, once: each L4 cell's triangles, transparent until a report colours them. */
void build_cells(ViewerState& st, DailyState& d) {
    SceneLayer& L = cells_layer(st);
    L.fills.clear(), L.lines.clear(), L.points.clear(), L.fill_colors.clear();
    for (const Grid* g : st.ds.grids_of_level(4)) {
        const Rgba cell = Rgba(L.fill_colors.size());  // the vertex's cell, a row of fill_colors
        for (const auto& poly : g->shape)
            for (Vec2 p : triangulate(poly))
                L.fills.push_back({float(p.x - st.scene.origin.x), float(p.y - st.scene.origin.y), cell});
        L.fill_colors.push_back(0);
    }
    ++L.fill_colors_revision;
    d.cells_built = true;
    L.visible = true;
    ++L.revision;
    // Every timed track of the dataset, once (a county's month is about a million segments).
    SceneLayer& T = tracks_layer(st);
    T.fills.clear(), T.lines.clear(), T.points.clear(), T.line_bands.clear();
    T.visible = true;
    d.track_days = add_patrol_days(T, st.scene.origin, st.ds);
}

/** The checks report of the day and window, the cells recoloured, the day's reports drawn. */
void recompute_checks(ViewerState& st, DailyState& d) {
    d.error.clear();
    if (d.checks) d.spare = std::move(*d.checks);
    d.checks.reset();
    d.outside.clear();
    d.classes = {};
    if (!d.cells_built) build_cells(st, d);
    // One colour a cell: a county's cells are ~840k vertices, which stay on the GPU; their colours
    // (~9,700 × 4 bytes) go again only when one changed.
    SceneLayer& cells = cells_layer(st);
    std::vector<Rgba>& colours = cells.fill_colors;
    bool changed = false;
    const auto colour = [&](size_t k, Rgba c) {
        if (colours[k] == c) return;
        colours[k] = c, changed = true;
    };
    const auto recoloured = [&] {
        if (changed) ++cells.fill_colors_revision;
    };
    if (d.days.empty()) {
        for (size_t k = 0; k < colours.size(); ++k) colour(k, 0);
        return recoloured();
    }
    try {
        ChecksOptions o;
        o.date = d.days[size_t(d.day)];
        o.days = d.window;
        if (!d.index) d.index.emplace(st.ds);
        // Into the previous report's storage (moved into d.spare above).
        compute_checks(*d.index, o, d.spare);
        d.checks.emplace(std::move(d.spare));
    } catch (const Error& e) {
        d.error = without_secrets(e.what());
        d.spare = {};
        for (size_t k = 0; k < colours.size(); ++k) colour(k, 0);
        return recoloured();
    }
    // Translucent: roads and buildings under the colours still read.
    for (size_t k = 0; k < d.checks->cells.size(); ++k) {
        const int cls = days_since_class(d.checks->cells[k].days_since);
        ++d.classes[size_t(cls)];
        if (k < colours.size()) colour(k, with_alpha(days_since_rgba(cls), 150));
    }
    recoloured();
    for (const OutsideReport& o : d.checks->outside) d.outside.insert(o.check);
}

/** Starts the patrols run of the current window, or marks it to follow the run in progress. */
void start_patrols(ViewerState& st, DailyState& d) {
    const TimeWindow w = window_of(d);
    if (d.patrols && same(d.patrols_window, w)) return;
    if (d.running.valid()) {
        if (!same(d.running_window, w)) d.wanted = w;
        return;
    }
    d.wanted.reset();
    if (!d.data) d.data = std::make_shared<Dataset>(st.ds);
    PatrolOptions o;
    o.window = w;
    d.running_window = w;
    // On one core fewer than the machine has: a slider move on the UI thread keeps a core to itself.
    d.running = std::async(std::launch::async, [data = d.data, o] {
        tbb::task_arena arena(int(std::max<size_t>(1, parallel_width() - 1)));
        return arena.execute([&] { return compute_patrols(*data, o); });
    });
}

/** The window's tracks, then the Daily layer over them: the "neither" road pieces, the day's reports on top. */
void draw_daily(ViewerState& st, DailyState& d) {
    // The window's tracks: the layer's bands only (a window of whole days; with no days, all).
    if (d.track_days) {
        const TimeWindow w = window_of(d);
        d.tracks = show_patrol_days(tracks_layer(st), *d.track_days, w.from ? *w.from / kDay : INT64_MIN,
                                    w.until ? *w.until / kDay - 1 : INT64_MAX);
    }
    d.teams.clear();
    for (size_t i : d.tracks) ++d.teams[st.ds.patrols[i].team];
    SceneLayer& L = daily_layer(st);
    L.fills.clear(), L.lines.clear(), L.points.clear(), L.line_bands.clear(), L.point_bands.clear();
    L.visible = true;
    const Vec2 o = st.scene.origin;
    if (d.patrols && same(d.patrols_window, window_of(d))) add_neither_roads(L, o, *d.patrols);
    if (d.checks) add_check_points(L, o, d.checks->today, 11);
    ++L.revision;
}

/** Takes a finished patrols run (with `wait`, waits for it); starts the next window's if asked. */
void collect_patrols(ViewerState& st, DailyState& d, bool wait) {
    while (d.running.valid()) {
        if (!wait && d.running.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
        try {
            d.patrols = d.running.get();
            d.patrols_window = d.running_window;
        } catch (const std::exception& e) {  // gw::Error (no L4 cells), or anything else: shown, never fatal
            d.patrols.reset();
            d.error = without_secrets(e.what());
        }
        draw_daily(st, d);
        if (!d.wanted) return;
        start_patrols(st, d);
    }
}

void recompute(ViewerState& st, DailyState& d) {
    const auto t0 = std::chrono::steady_clock::now();
    recompute_checks(st, d);
    draw_daily(st, d);
    start_patrols(st, d);
    d.dirty = false;
    // Two changes before one frame share its upload: it is counted with the second (the first gets 0).
    if (d.upload_pending) d.upload_ms.push_back(0), d.upload_bytes.push_back(0);
    d.upload_pending = true;
    d.recompute_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
}

DailyState& state(ViewerState& st) {
    st.show_daily = true;
    if (!st.daily) {
        st.daily = std::make_shared<DailyState>();
        init_days(*st.daily, st.ds);
    }
    return *st.daily;
}

/** The days-since legend, as the map colours the cells, with the cells in each class. */
void legend(ViewerState& st, const DailyState& d) {
    ImGui::TextDisabled("%s", st.t(Ui::DaysSince));
    const float column = ImGui::GetCursorPosX() + 120;
    for (int k = 0; k < kDaysSinceClasses; ++k) {
        if (k % 2) ImGui::SameLine(column);
        legend_swatch(days_since_rgba(k), k == kDaysSinceClasses - 1 ? st.t(Ui::Never) : days_since_label(k),
                      d.classes[size_t(k)]);
    }
}

/** The cells not checked on the day, worst first; a click zooms to the cell and shows its history. */
void overdue_list(ViewerState& st, DailyState& d) {
    const ChecksReport& r = *d.checks;
    ImGui::TextDisabled("%s: %zu", st.t(Ui::OverdueCells), r.overdue.size());
    d.first_overdue.reset();
    if (r.overdue.empty()) return;
    const float row = ImGui::GetTextLineHeightWithSpacing();
    const float height = row * (float(std::min<size_t>(r.overdue.size(), 6)) + 1) + 8;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("overdue", 4, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(st.t(Ui::GridId), ImGuiTableColumnFlags_WidthFixed, 110);
    ImGui::TableSetupColumn(st.t(Ui::Name), ImGuiTableColumnFlags_WidthFixed, 110);
    ImGui::TableSetupColumn(st.t(Ui::DaysCol), ImGuiTableColumnFlags_WidthFixed, 56);
    ImGui::TableSetupColumn(st.t(Ui::Manager), ImGuiTableColumnFlags_WidthFixed, 70);
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(int(r.overdue.size()));
    while (clip.Step())
        for (int k = clip.DisplayStart; k < clip.DisplayEnd; ++k) {
            const CellChecks& c = *r.overdue[size_t(k)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(k);
            if (ImGui::Selectable(c.grid_id.c_str(), false, ImGuiSelectableFlags_SpanAllColumns))
                if (auto s = find_cell(st.ds, c.grid_id, r.level)) st.zoom_to(*s);
            if (k == 0) {
                const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
                d.first_overdue = ImVec2(lo.x + 12, (lo.y + hi.y) / 2);
            }
            ImGui::PopID();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(c.name.c_str());
            ImGui::TableNextColumn();
            const int cls = days_since_class(c.days_since);
            if (c.days_since)
                ImGui::TextColored(im_color(days_since_rgba(cls)), "%d", *c.days_since);
            else
                ImGui::TextColored(im_color(days_since_rgba(cls)), "%s", st.t(Ui::Never));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(c.manager.c_str());
        }
    ImGui::EndTable();
}

/** The selected L4 cell's checks in the window, by day, newest first; reports outside the cell flagged. */
void cell_history(ViewerState& st, DailyState& d) {
    ImGui::Separator();
    const Grid* cell = st.selected && st.selected->layer == LayerId::Grids && st.selected->index < st.ds.grids.size() &&
                               st.ds.grids[st.selected->index].level == 4
                           ? &st.ds.grids[st.selected->index]
                           : nullptr;
    if (!cell) {
        d.history.clear(), d.history_cell = nullptr;
        ImGui::TextDisabled("%s", st.t(Ui::ClickCellHint));
        return;
    }
    ImGui::Text("%s: %s %s", st.t(Ui::CellHistory), cell->grid_id.c_str(), cell->name.c_str());
    const TimeWindow w = window_of(d);
    // Listed again only when the cell or the window changes: a county has ~290k reports a month.
    if (d.history_cell != cell || !same(d.history_window, w)) {
        d.history_cell = cell, d.history_window = w;
        d.by_day.clear();
        size_t n_checks = 0, n_outside = 0;
        for (const Check& c : st.ds.checks)
            if (c.grid_id == cell->grid_id && c.when && w.contains(c.when)) {
                d.by_day[day_start(*c.when)].push_back(&c);
                ++n_checks, n_outside += d.outside.count(&c);
            }
        for (auto& [day, list] : d.by_day)
            std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return *a->when < *b->when; });
        d.history = cell->grid_id + " checks " + std::to_string(n_checks) + " outside " + std::to_string(n_outside);
    }
    auto& by_day = d.by_day;
    for (int64_t day = *w.until - kDay; day >= *w.from; day -= kDay) {
        auto it = by_day.find(day);
        const size_t n = it == by_day.end() ? 0 : it->second.size();
        if (n == 0) {
            ImGui::TextColored(im_color(days_since_rgba(4)), "%s  %s", iso_date(day).c_str(), st.t(Ui::NoReports));
            continue;
        }
        for (const Check* c : it->second) {
            const bool out = d.outside.count(c) > 0;
            const std::string t = iso_date_time(*c->when);
            ImGui::Text("%s  %s  %s  %s", t.substr(0, 16).c_str(), kind_title(st, c->kind), c->reporter.c_str(),
                        c->check_id.c_str());
            if (out) {
                ImGui::SameLine();
                ImGui::TextColored(im_color(rgba(224, 49, 49)), "! %s", st.t(Ui::OutsideCell));
            }
        }
    }
}

/** A tooltip naming the track under the cursor (team, id, its time span) while the map is hovered. */
void track_tooltip(ViewerState& st, DailyState& d) {
    d.hovered_track.clear();
    if (!st.cursor || d.tracks.empty()) return;
    const Vec2 w = st.view.to_world(*st.cursor);
    double best = 6 * st.view.mpp;
    const PatrolTrack* hit = nullptr;
    for (size_t i : d.tracks)
        for (const auto& line : st.ds.patrols[i].shape)
            for (size_t k = 0; k + 1 < line.size(); ++k)
                if (double dist = segment_distance(w, line[k], line[k + 1]); dist < best)
                    best = dist, hit = &st.ds.patrols[i];
    if (!hit) return;
    const std::string from = hit->t_start ? iso_date_time(*hit->t_start).substr(0, 16) : hit->start;
    const std::string to = hit->t_end ? iso_date_time(*hit->t_end).substr(11, 5) : hit->end;
    d.hovered_track = hit->track_id;
    ImGui::SetTooltip("%s %s  %s\n%s – %s", st.t(Ui::PatrolItem), hit->track_id.c_str(), team_title(st, hit->team),
                      from.c_str(), to.c_str());
}

}  // namespace

void read_daily_layers(ViewerState& st) {
    if (!st.read_daily) return;
    if (!st.show_daily && !st.scene.layer(LayerId::Checks).visible && !st.scene.layer(LayerId::Patrols).visible) return;
    const auto read = std::move(st.read_daily);
    st.read_daily = nullptr;
    Dataset d;
    try {
        d = read(st.ds);
    } catch (const Error& e) {
        st.daily_read_error = without_secrets(e.what());
        return;
    }
    st.ds.checks = std::move(d.checks);
    st.ds.patrols = std::move(d.patrols);
    // The first reading listed these layers without reading them: their entries are replaced.
    for (auto& info : d.layers) {
        if (info.name != "checks" && info.name != "patrols") continue;
        auto same = std::find_if(st.ds.layers.begin(), st.ds.layers.end(), [&](const LayerInfo& l) {
            return l.source == info.source && l.source_name == info.source_name;
        });
        if (same != st.ds.layers.end()) *same = std::move(info);
        else st.ds.layers.push_back(std::move(info));
    }
    for (auto& [layer, fields] : d.extra_fields) st.ds.extra_fields[layer] = std::move(fields);
    auto append = [](auto& to, auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(st.ds.report.bad_times, d.report.bad_times);
    append(st.ds.report.bad_values, d.report.bad_values);
    append(st.ds.report.gdal_warnings, d.report.gdal_warnings);
    append(st.ds.report.no_geometry, d.report.no_geometry);
    append(st.ds.report.other, d.report.other);
    rebuild_daily_layers(st.scene, st.ds);
    st.need_glyphs(dataset_text(st.ds));
    refresh_notes(st);  // the checks' and patrols' own
}

void daily_action(ViewerState& st, const std::string& what) {
    st.show_daily = true;
    read_daily_layers(st);
    DailyState& d = state(st);
    const size_t eq = what.find('=');
    const std::string key = what.substr(0, eq), arg = eq == std::string::npos ? "" : what.substr(eq + 1);
    bool wait = true;
    if (key == "daily_date") {
        const auto span = parse_iso_span(arg);
        if (span) {
            const auto it = std::lower_bound(d.days.begin(), d.days.end(), day_start(span->begin));
            d.day = std::clamp(int(it - d.days.begin()), 0, std::max(0, int(d.days.size()) - 1));
        }
    } else if (key == "daily_days") {
        d.window = std::clamp(std::atoi(arg.c_str()), 1, 60);
    } else if (key == "daily_next" || key == "daily_prev") {
        d.day = std::clamp(d.day + (key == "daily_next" ? 1 : -1), 0, std::max(0, int(d.days.size()) - 1));
        wait = false;  // as a slider drag: the patrols follow when their run is back
    } else if (key != "daily_wait") {
        return;
    }
    if (key != "daily_wait") recompute(st, d);
    if (wait) collect_patrols(st, d, true);
}

void daily_frame_synced(ViewerState& st, double ms, uint64_t bytes) {
    if (!st.daily || !st.daily->upload_pending) return;
    st.daily->upload_pending = false;
    st.daily->upload_ms.push_back(ms);
    st.daily->upload_bytes.push_back(bytes);
}

std::string daily_summary(ViewerState& st) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "\nview: %.3f %.3f mpp %.5f", st.view.center.x, st.view.center.y, st.view.mpp);
    const std::string view = buf;
    if (!st.daily_read_error.empty()) return "daily: not read: " + st.daily_read_error + view;
    if (!st.daily) return "daily: off" + view;
    DailyState& d = *st.daily;
    collect_patrols(st, d, true);
    std::string s = "daily:";
    if (d.checks) {
        int checked = 0;
        for (const auto& c : d.checks->cells) checked += c.days_since && *c.days_since == 0;
        std::snprintf(buf, sizeof buf, " date %s days %d cells %zu checked %d overdue %zu today %zu",
                      iso_date(d.checks->date).c_str(), d.window, d.checks->cells.size(), checked,
                      d.checks->overdue.size(), d.checks->today.size());
        s += buf;
    }
    s += " classes";
    for (int k : d.classes) s += " " + std::to_string(k);
    std::snprintf(buf, sizeof buf, " tracks %zu", d.tracks.size());
    s += buf;
    if (d.patrols) {
        std::snprintf(buf, sizeof buf, " patrols_in_window %d neither_m %.0f", d.patrols->tracks_in_window,
                      d.patrols->total.neither_m);
        s += buf;
    }
    if (!d.recompute_ms.empty()) {
        // The first is the panel opening (cells triangulated once); the rest are slider moves.
        std::vector<double> moves(d.recompute_ms.begin() + 1, d.recompute_ms.end());
        std::sort(moves.begin(), moves.end());
        std::snprintf(buf, sizeof buf, "\ndaily recompute: open %.1f ms, %zu changes, median %.1f ms, max %.1f ms",
                      d.recompute_ms.front(), moves.size(), moves.empty() ? 0.0 : moves[moves.size() / 2],
                      moves.empty() ? 0.0 : moves.back());
        s += buf;
    }
    if (d.upload_ms.size() == d.recompute_ms.size() && d.upload_ms.size() > 1) {
        // The same changes with the upload of the frame after each (what the GPU was sent for it).
        std::vector<double> up(d.upload_ms.begin() + 1, d.upload_ms.end()), both;
        std::vector<uint64_t> bytes(d.upload_bytes.begin() + 1, d.upload_bytes.end());
        for (size_t i = 1; i < d.upload_ms.size(); ++i) both.push_back(d.recompute_ms[i] + d.upload_ms[i]);
        std::sort(up.begin(), up.end());
        std::sort(both.begin(), both.end());
        std::sort(bytes.begin(), bytes.end());
        std::snprintf(buf, sizeof buf,
                      "\ndaily upload: open %.1f ms %.1f MB, %zu changes, median %.1f ms, max %.1f ms, median %.3f "
                      "MB, max %.3f MB; change + upload: median %.1f ms, max %.1f ms",
                      d.upload_ms.front(), double(d.upload_bytes.front()) / 1e6, up.size(), up[up.size() / 2],
                      up.back(), double(bytes[bytes.size() / 2]) / 1e6, double(bytes.back()) / 1e6,
                      both[both.size() / 2], both.back());
        s += buf;
    }
    if (!d.error.empty()) s += "\ndaily error: " + d.error;
    if (!d.history.empty()) s += "\ndaily history: " + d.history;
    if (d.checks && !d.checks->overdue.empty()) {
        const CellChecks& c = *d.checks->overdue.front();
        std::snprintf(buf, sizeof buf, "\ndaily first overdue: %s", c.grid_id.c_str());
        s += buf;
        if (d.first_overdue) {
            std::snprintf(buf, sizeof buf, " row at %.0f,%.0f", d.first_overdue->x, d.first_overdue->y);
            s += buf;
        }
    }
    return s + view;
}

void panel_daily(ViewerState& st) {
    if (!st.show_daily) {
        if (st.daily) {  // closing the panel takes its layers off the map
            for (LayerId id : {LayerId::CheckCells, LayerId::DailyTracks, LayerId::Daily})
                for (auto& L : st.scene.layers)
                    if (L.id == id)
                        L.fills.clear(), L.fill_colors.clear(), L.lines.clear(), L.points.clear(),
                            L.line_bands.clear(), ++L.revision;
            st.daily.reset();
        }
        return;
    }
    DailyState& d = state(st);
    ImGui::SetNextWindowPos(ImVec2(float(st.view.width) - 470, 120), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(420, 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(st.t(Ui::DailyPanel), &st.show_daily, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    if (d.days.empty()) {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 380);
        if (!st.daily_read_error.empty())
            ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", st.daily_read_error.c_str());
        else
            ImGui::TextDisabled("%s", st.t(Ui::NoChecks));
        ImGui::PopTextWrapPos();
        ImGui::End();
        return;
    }
    bool changed = false;
    const int last = int(d.days.size()) - 1;
    const std::string shown = iso_date(d.days[size_t(d.day)]);
    ImGui::SetNextItemWidth(240);
    changed |= ImGui::SliderInt(st.t(Ui::Date), &d.day, 0, last, shown.c_str());
    ImGui::SetNextItemWidth(240);
    changed |= ImGui::SliderInt(st.t(Ui::DaysWindow), &d.window, 1, 30);
    d.day = std::clamp(d.day, 0, last), d.window = std::clamp(d.window, 1, 60);
    if (changed || d.dirty) recompute(st, d);
    collect_patrols(st, d, false);
    if (!d.error.empty()) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", d.error.c_str());
    if (d.checks) {
        const ChecksReport& r = *d.checks;
        int checked = 0;
        for (const auto& c : r.cells) checked += c.days_since && *c.days_since == 0;
        const double share = r.cells.empty() ? 0 : double(checked) / double(r.cells.size());
        ImGui::Text("%s  %d / %zu  (%.1f%%)", st.t(Ui::CheckedToday), checked, r.cells.size(), 100 * share);
        ImGui::ProgressBar(float(share), ImVec2(-1, 6), "");
        ImGui::Separator();
        legend(st, d);
        ImGui::Separator();
        // The day's reports by kind, in the symbols the map draws them with.
        std::map<std::string, int> kinds;
        for (const Check* c : r.today) ++kinds[c->kind];
        ImGui::TextDisabled("%s: %zu", st.t(Ui::ReportsOfDay), r.today.size());
        const float x0 = ImGui::GetCursorPosX();
        int i = 0;
        for (const auto& k : check_kinds()) {
            if (i % 3) ImGui::SameLine(x0 + 130 * float(i % 3));
            legend_swatch(check_kind_rgba(k), kind_title(st, k), kinds.count(k) ? kinds.at(k) : 0,
                          check_kind_symbol(k));
            ++i;
        }
        ImGui::Separator();
        ImGui::TextDisabled("%s: %zu", st.t(Ui::TracksInWindow), d.tracks.size());
        for (const auto& [team, n] : d.teams)
            legend_swatch(patrol_team_rgba(team), team_title(st, team), n, Symbol::Circle);
        if (d.patrols && same(d.patrols_window, window_of(d))) {
            legend_swatch(kNeitherRgba, st.t(Ui::NeitherRoads));
            ImGui::SameLine();
            ImGui::Text("%.0f m", d.patrols->total.neither_m);
        } else if (d.running.valid()) {
            ImGui::TextDisabled("%s %s", st.t(Ui::NeitherRoads), st.t(Ui::Computing));
        }
        ImGui::Separator();
        overdue_list(st, d);
    }
    cell_history(st, d);
    ImGui::End();
    track_tooltip(st, d);
}

}  // namespace gw::app
