// gridwatch render DATASET --out FILE.png|.tif|.pdf [--size WxH] [--extent GRID_ID|xmin,ymin,xmax,ymax]
// The map drawn off-screen (SPEC §4, §7): EGL surfaceless, so it runs with no X display.
#include <epoxy/gl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <numeric>
#include <sstream>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/render/fonts.h"
#include "app/render/gl_context.h"
#include "app/render/image_out.h"
#include "app/render/labels.h"
#include "app/render/renderer.h"
#include "app/render/scene.h"
#include "app/wall/wall.h"
#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/io/project.h"
#include "geo/io/writer.h"

namespace gw::app {
namespace {

struct RenderArgs {
    DatasetArgs data;
    std::string out, size = "1600x1200", extent;
    std::vector<std::string> layers;
    std::vector<std::string> basemaps;  // --basemap, repeatable
    bool no_labels = false, timing = false;
    bool wall = false;  // the wall layout (wall.h) instead of the plain map
    std::string scene;
    std::string lang = "zh";  // the wall's captions and legend
    int max_tile = 0;  // hidden: force small tiles (tests)
    int frames = 0;    // hidden: time the viewer's map frame N times (bench, issue 17)
};

/**
 * The viewer's map frame, timed where no window can open (a GPU machine without a display): the
 * same MapRenderer into a target of the viewer's size, multisampled and resolved as the viewer's
 * (4× unless the renderer is software), labels placed as the viewer places them. Frame i shows the
 * view moved a tenth of its width from `start` towards angle 2πi/N, so no frame is a still one and
 * every frame shows the map. Each frame to glFinish; the mean, median and slowest on stderr.
 */
void time_map_frames(const Scene& scene, const MapView& start, const OffscreenLabelPainter* labels,
                     int frames) {
    using Clock = std::chrono::steady_clock;
    MapRenderer renderer;
    const bool msaa = !software_renderer();
    OffscreenTarget target(start.width, start.height, msaa ? 4 : 1);
    target.bind();
    renderer.draw(scene, start, kMapBackground);  // the upload, as the viewer's first frame
    target.resolve();
    glFinish();
    std::vector<double> ms;
    size_t placed = 0;
    for (int i = 0; i < frames; ++i) {
        const double a = 2 * 3.141592653589793 * i / frames, r = 0.1 * start.width;
        const auto t0 = Clock::now();
        MapView view = start;
        view.pan_pixels(r * std::cos(a), r * std::sin(a));
        if (labels) placed += place_labels(scene, view, labels->measure()).size();
        target.bind();
        renderer.draw(scene, view, kMapBackground);
        target.resolve();  // the viewer's copy to its window
        glFinish();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / frames;
    std::sort(ms.begin(), ms.end());
    std::fprintf(stderr,
                 "frames: %d at %dx%d, %.1f m/px, mean %.2f ms, median %.2f ms, slowest %.2f ms, %.0f fps "
                 "(msaa %s, labels %s, %zu placed per frame)\n",
                 frames, start.width, start.height, start.mpp, mean, ms[ms.size() / 2], ms.back(),
                 1000 / mean, msaa ? "on" : "off", labels ? "on" : "off", placed / size_t(frames));
}

/** Parses "WxH"; throws a usage error when it is not two positive integers. */
std::pair<int, int> parse_size(const std::string& s) {
    int w = 0, h = 0;
    char x = 0, rest = 0;
    if (std::sscanf(s.c_str(), "%d%c%d%c", &w, &x, &h, &rest) != 3 || (x != 'x' && x != 'X') || w < 1 || h < 1)
        throw CLI::ValidationError("--size", "'" + s + "' is not WIDTHxHEIGHT in pixels (e.g. 1920x1080)");
    return {w, h};
}

/**
 * A runtime error (exit 1) when the image cannot be held: the RGBA pixels and GDAL's RGB copy
 * (7 bytes a pixel) must fit in the memory available now. Checked before the data is read, so
 * the answer comes at once.
 */
void check_image_memory(int w, int h) {
    const double need = double(w) * double(h) * 7;
    double avail = 0;
    if (std::FILE* f = std::fopen("/proc/meminfo", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f))
            if (long long kb = 0; std::sscanf(line, "MemAvailable: %lld kB", &kb) == 1) avail = double(kb) * 1024;
        std::fclose(f);
    }
    if (avail <= 0) avail = double(sysconf(_SC_AVPHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    const std::string size = std::to_string(w) + "x" + std::to_string(h);
    if (avail > 0 && need > avail) {
        char msg[256];
        std::snprintf(msg, sizeof msg, "an image of %s pixels needs %.1f GiB of memory and %.1f GiB is available",
                      size.c_str(), need / (1u << 30), avail / (1u << 30));
        throw Error(msg, {}, "give a smaller --size, e.g. 8000x6000");
    }
}

/** The extent to show: a bbox in the working CRS, a grid cell (with a 5% margin), or the data. */
/** Names the characters the map draws as '?' (past U+FFFF: ImGui 1.86's glyphs are 16-bit). */
void warn_undrawable(const std::vector<std::string>& chars) {
    if (chars.empty()) return;
    std::string list;
    for (size_t i = 0; i < chars.size() && i < 20; ++i) list += chars[i];
    if (chars.size() > 20) list += "…";
    warn(std::to_string(chars.size()) + " character" + (chars.size() == 1 ? "" : "s") +
         " of the data's names past U+FFFF cannot be drawn, and show as '?' on the map: " + list);
}

/** `unchecked`: a box beside the data is drawn (a scene's saved extent, a basemap's), not refused. */
Box resolve_extent(const std::string& spec, const Dataset& ds, bool unchecked) {
    if (spec.empty()) {
        Box b = scene_extent(ds);
        const double m = std::max(b.width(), b.height()) * 0.03;
        return b.grown(m);
    }
    double v[4];
    char rest = 0;
    if (std::count(spec.begin(), spec.end(), ',') == 3) {
        if (std::sscanf(spec.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &rest) != 4 ||
            !(v[2] > v[0]) || !(v[3] > v[1]))
            throw CLI::ValidationError("--extent",
                                       "'" + spec + "' is not xmin,ymin,xmax,ymax with min < max");
        // Metres of the working CRS: a map from a centimetre to the globe's girth and more, no further.
        const bool held = std::all_of(v, v + 4, [](double x) { return std::abs(x) <= 1e8; });
        if (!held || v[2] - v[0] < 0.01 || v[3] - v[1] < 0.01)
            throw CLI::ValidationError("--extent",
                                       "'" + spec + "' is not a map extent in metres of " + ds.work_crs +
                                           " (each side 0.01 m to 100,000 km, within ±100,000 km)");
        // A box beside the data draws an empty map (exit 0): most often degrees given for metres.
        // Without data, or with a basemap, the box may be what is wanted: a basemap drawn alone.
        const Box data = drawn_extent(ds), asked{v[0], v[1], v[2], v[3]};
        if (!unchecked && !data.empty() && !asked.intersects(data)) {
            char where[160];
            std::snprintf(where, sizeof where, "%.0f,%.0f,%.0f,%.0f", data.xmin, data.ymin, data.xmax,
                          data.ymax);
            throw Error(
                "--extent " + spec + " lies outside the data, which spans " + where + " in " + ds.work_crs,
                {ds.source}, "give the bbox in metres of " + ds.work_crs + ", not in degrees, or a grid_id");
        }
        return asked;
    }
    for (const auto& g : ds.grids)
        if (g.grid_id == spec) {
            Box b = bounds(g.shape);
            const double m = std::max(b.width(), b.height()) * 0.05;
            return b.grown(m);
        }
    throw Error("no grid cell '" + spec + "' in layer 'grids'", {ds.source, "grids"},
                "give a grid_id from `gridwatch stats` or a bbox xmin,ymin,xmax,ymax in " + ds.work_crs);
}

/** A temporary vector file, removed when it goes out of scope. */
struct TempVectors {
    std::string path;
    TempVectors() = default;
    TempVectors(TempVectors&& o) noexcept : path(std::move(o.path)) { o.path.clear(); }
    TempVectors& operator=(TempVectors&& o) noexcept {
        std::swap(path, o.path);
        return *this;
    }
    ~TempVectors() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove(path, ec);
    }
};

/** The grid cells that touch `shown`, in the working CRS, written beside `out` (GeoPackage). */
TempVectors grid_vectors(const Dataset& ds, const Box& shown, const std::string& out) {
    Dataset sub;
    sub.source = ds.source;
    sub.crs = ds.work_crs;
    sub.work_crs = ds.work_crs;
    sub.work_crs_wkt = ds.work_crs_wkt;
    sub.source_crs_wkt = ds.work_crs_wkt;
    for (const auto& L : ds.layers)
        if (L.name == "grids") sub.layers.push_back(L);
    if (auto it = ds.extra_fields.find("grids"); it != ds.extra_fields.end()) sub.extra_fields["grids"] = it->second;
    for (const auto& g : ds.grids)
        if (bounds(g.shape).intersects(shown)) sub.grids.push_back(g);
    TempVectors t;
    if (sub.grids.empty()) return t;
    const std::filesystem::path o(out);
    // Named as geo/io/atomic_output.h names its temporaries, so that one a kill leaves behind is
    // removed by the next write in the folder.
    const std::string path =
        (o.parent_path() / (".gw-tmp-" + std::to_string(getpid()) + "-grids-" + o.stem().string() + ".gpkg")).string();
    WriteOptions w;
    w.path = path;
    w.format = "GPKG";
    w.layers = {"grids"};
    w.crs = ds.work_crs;
    w.mask_personal = true;
    try {
        write_dataset(sub, w);
        t.path = path;
    } catch (const Error& e) {
        warn("the PDF is written without its grid vectors: " + std::string(e.what()));
    }
    return t;
}

void run_render(const RenderArgs& a) {
    using Clock = std::chrono::steady_clock;
    const auto [w, h] = parse_size(a.size);
    if (!image_format_supported(a.out))
        throw CLI::ValidationError("--out", "'" + a.out + "' must end in .png, .tif or .pdf");
    // The wall's title, tiles and legend need room: below this they are drawn over the map.
    if (a.wall && (std::min(w, h) < 270 || std::max(w, h) < 480))
        throw CLI::ValidationError("--size",
                                   "'" + a.size + "': a wall is at least 480×270 (or 270×480 upright)");
    if (a.wall && a.frames > 0)
        throw CLI::ValidationError("--frames", "times the plain map's frame, not --wall");
    // libpng refuses a side over 1,000,000 pixels (PNG_USER_WIDTH_MAX); GeoTIFF takes more.
    if (ascii_lower(std::filesystem::path(a.out).extension().string()) == ".png" && std::max(w, h) > 1000000)
        throw CLI::ValidationError(
            "--size", "'" + a.size + "': a PNG side is at most 1,000,000 pixels (write .tif for more)");
    refuse_output_onto_input(a.data, a.out, image_files(a.out), a.basemaps);
    check_image_memory(w, h);
    const auto t0 = Clock::now();
    // The plain map draws the daily work's layers only when asked (--layers): a county's month of
    // reports is most of its reading otherwise. The wall's 今日巡查 scene needs them.
    const bool daily = a.wall || std::any_of(a.layers.begin(), a.layers.end(),
                                             [](const std::string& l) { return l == "checks" || l == "patrols"; });
    std::vector<std::string> layers;
    if (!daily) {
        layers = layers_except({"checks", "patrols"});
        layers.push_back("");  // the layers no role uses are drawn
    }
    // EGL and its driver (llvmpipe's LLVM) load on a thread of their own while the layers are read.
    auto gl_made = std::async(std::launch::async, [] {
        auto gl = std::make_unique<HeadlessGl>();
        gl->release();
        return gl;
    });
    auto take_gl = [&gl_made] {
        std::unique_ptr<HeadlessGl> gl = gl_made.get();
        gl->make_current();
        return gl;
    };
    Dataset ds = a.data.open(layers, /*check_tiling=*/false);
    const KeepToExit keep_data(ds);
    const auto t1 = Clock::now();
    // A source of no features (empty layers, a PG: database without gridwatch's tables) drew a
    // blank image georeferenced at a made-up spot, with exit 0.
    if (drawn_extent(ds).empty() && (a.wall || a.extent.empty()))
        throw Error("has nothing to draw: no layer holds a feature", {ds.source},
                    "check the source, whose layers and counts gridwatch info lists" +
                        std::string(a.wall ? "" : "; or give --extent to draw a basemap alone"));
    if (a.wall) {
        // The wall layout (SPEC §6) as a briefing image: same drawing as `view --wall`.
        warn_undrawable(
            require_glyphs(wall_glyph_text(ds, project_for(ds).scenes) + (a.lang == "en" ? "" : "网格")));
        const auto gl = take_gl();
        MapView view;
        const auto rgba = render_wall_image(ds, project_for(ds).scenes, a.scene, w, h, view, a.max_tile, nullptr,
                                            basemap_paths(a.data, a.basemaps), a.lang == "en" ? Lang::En : Lang::Zh);
        const auto t2 = Clock::now();
        const Box shown = view.world_box();
        // A PDF also carries the grid cells on the page as georeferenced vectors (GDAL's PDF text
        // cannot show Chinese, so the wall itself is the page image), personal fields masked.
        std::vector<std::string> pdf_options;
        TempVectors grids;
        if (std::filesystem::path(a.out).extension() == ".pdf") {
            grids = grid_vectors(ds, shown, a.out);
            if (!grids.path.empty())
                pdf_options = {"OGR_DATASOURCE=" + grids.path, "OGR_DISPLAY_FIELD=grid_id"};
        }
        write_image(a.out, rgba, w, h, GeoTransform{shown.xmin, view.mpp, 0, shown.ymax, 0, -view.mpp},
                    ds.work_crs_wkt, pdf_options);
        if (a.timing) {
            auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
            std::fprintf(stderr, "timing: open %.0f ms, wall %.0f ms, write %.0f ms (%s)\n", ms(t1 - t0),
                         ms(t2 - t1), ms(Clock::now() - t2), gl->description().c_str());
        }
        return;
    }
    std::string extent = a.extent;
    if (!a.scene.empty()) {
        // A scene's extent, as the wall shows it, on the plain map.
        WallScenes ws(project_for(ds).scenes);
        const gw::Scene& sc = ws.all()[ws.find(a.scene)];
        const Box e = wall_scene_extent(sc, scene_extent(ds));
        if (extent.empty())
            extent = std::to_string(e.xmin) + "," + std::to_string(e.ymin) + "," + std::to_string(e.xmax) + "," +
                     std::to_string(e.ymax);
    }
    const MapView view = MapView::fit(
        resolve_extent(extent, ds, a.extent.empty() || !basemap_paths(a.data, a.basemaps).empty()), w, h);
    // Cells, roads, buildings, parcels and sectors off the image are left out, but where the timed
    // frames pan (a tenth of the width every way) they must be there.
    Scene scene = build_scene(ds, view.mpp, /*lod=*/true, a.frames > 0 ? Box{} : view.image_box());
    if (!a.layers.empty()) {
        for (auto& L : scene.layers)
            L.visible = std::find(a.layers.begin(), a.layers.end(), L.key) != a.layers.end();
        for (const auto& name : a.layers) {
            bool known = false;
            for (const auto& L : scene.layers) known |= L.key == name;
            known |= name == "basemap";
            if (!known) {
                // The source's own layers no role uses are drawn, so they can be named too.
                std::string names;
                for (const auto& L : scene.layers) names += L.key + ", ";
                throw CLI::ValidationError("--layers", "no layer '" + name + "' (" + names + "basemap)");
            }
        }
        if (scene.layer(LayerId::Choropleth).visible)
            build_choropleth(scene, ds, ChoroplethStat::Households, 4);
    }
    // Basemaps under everything, read at about the image's resolution (no more than 8192 px).
    add_basemaps(scene, basemap_paths(a.data, a.basemaps), ds.work_crs_wkt, std::min(8192, 2 * std::max(w, h)));
    // With --layers, the basemap layer (the dataset's own rasters and every --basemap) is drawn when
    // it lists basemap, or when --basemap was given: a basemap asked for was left out without a word.
    if (!a.layers.empty() && !scene.layers.empty() && scene.layers.front().id == LayerId::Basemap)
        scene.layers.front().visible =
            !a.basemaps.empty() || std::find(a.layers.begin(), a.layers.end(), "basemap") != a.layers.end();
    const auto t2 = Clock::now();

    const auto gl = take_gl();
    std::vector<uint8_t> rgba;
    auto t3 = t2;  // the image drawn (the timed frames after it are not its drawing)
    {
        std::unique_ptr<OffscreenLabelPainter> painter;
        if (!a.no_labels) {
            // Only the labels' characters: the atlas of a county's every name takes seconds to build.
            std::string text;
            for (const auto& c : scene.labels) text += c.text;
            warn_undrawable(require_glyphs(text));
            painter = std::make_unique<OffscreenLabelPainter>(text);
        }
        rgba = render_image(scene, view, painter.get(), a.max_tile);
        t3 = Clock::now();
        if (a.frames > 0) time_map_frames(scene, view, painter.get(), a.frames);
    }
    // Top-left corner of the top-left pixel; north up, square pixels.
    const Box shown = view.world_box();
    const GeoTransform gt{shown.xmin, view.mpp, 0, shown.ymax, 0, -view.mpp};
    const auto t4 = Clock::now();
    write_image(a.out, rgba, w, h, gt, ds.work_crs_wkt);
    const auto t5 = Clock::now();
    if (a.timing) {
        auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
        std::fprintf(stderr, "timing: open %.0f ms, scene %.0f ms, draw %.0f ms, write %.0f ms (%s)\n",
                     ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t5 - t4), gl->description().c_str());
    }
}

}  // namespace

void setup_render(CLI::App& root) {
    auto a = std::make_shared<RenderArgs>();
    auto* cmd =
        root.add_subcommand("render", "draw the map off-screen to an image (PNG + world file, GeoTIFF, PDF)");
    add_dataset_args(cmd, a->data);
    cmd->add_option("--out", a->out, "image to write: FILE.png (with FILE.wld), FILE.tif or FILE.pdf")
        ->required();
    cmd->add_option("--size", a->size, "image size WIDTHxHEIGHT in pixels")->capture_default_str();
    cmd->add_option("--extent", a->extent,
                    "GRID_ID, or xmin,ymin,xmax,ymax in the working CRS (default: the whole dataset)");
    cmd->add_option("--layers", a->layers, "layers to draw, comma-separated (default: the viewer's defaults)")
        ->delimiter(',');
    cmd->add_option("--basemap", a->basemaps,
                    "raster drawn under the map (GeoTIFF, MBTiles, GeoPackage tiles…); repeatable")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--no-labels", a->no_labels, "leave out grid and enterprise names");
    cmd->add_flag("--wall", a->wall, "draw the wall layout: title, clock, figure tiles, legend, dark map");
    cmd->add_option("--lang", a->lang, "with --wall: the layout's language, zh (简体中文) or en")
        ->check(CLI::IsMember({"zh", "en"}));
    cmd->add_option("--scene", a->scene, "a scene of DATASET.gridwatch.json (or a default scene): its extent");
    cmd->add_option("--max-tile", a->max_tile, "largest tile side in pixels")->group("");
    cmd->add_flag("--timing", a->timing, "print how long each stage took on stderr")->group("");
    cmd->add_option("--frames", a->frames,
                    "then time the viewer's map frame N times, panning (not with --wall)")
        ->check(CLI::PositiveNumber)
        ->group("");
    cmd->callback([a] { run_render(*a); });
}

}  // namespace gw::app
