// Font loading for the viewer and the off-screen label painter (see fonts.h).
#include "app/render/fonts.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "geo/core/error.h"

namespace gw::app {

std::string cjk_font_path() {
    // A font installed elsewhere (another distribution's path, an office's own copy).
    if (const char* own = std::getenv("GRIDWATCH_CJK_FONT"); own && *own) return own;
    for (const char* p : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                          "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
                          "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"})
        if (std::filesystem::exists(p)) return p;
    return {};
}

ImFont* FontSet::label_for(float px) const {
    size_t best = 0;
    for (size_t i = 1; i < labels.size(); ++i)
        if (std::abs(label_px[i] - px) < std::abs(label_px[best] - px)) best = i;
    return labels[best] ? labels[best] : ui;
}

namespace {

/** The collection (~20 MB), read once a process, in one call (byte by byte it cost a tenth of a render). */
const std::vector<char>& cjk_font_data() {
    static const std::vector<char> data = [] {
        std::vector<char> bytes;
        const std::string path = cjk_font_path();
        std::ifstream in(path, std::ios::binary | std::ios::ate);
        if (path.empty() || !in) return bytes;
        bytes.resize(static_cast<size_t>(in.tellg()));
        in.seekg(0);
        if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) bytes.clear();
        // Not an OpenType font or collection (a file of something else named in GRIDWATCH_CJK_FONT):
        // ImGui would take it and fail an assertion; it is a font that cannot be read.
        const std::string tag = bytes.size() >= 12 ? std::string(bytes.data(), 4) : std::string();
        if (tag != "ttcf" && tag != "OTTO" && tag != "true" && tag != std::string("\0\1\0\0", 4))
            bytes.clear();
        return bytes;
    }();
    return data;
}

}  // namespace

std::vector<std::string> require_glyphs(const std::string& text) {
    const bool ascii =
        std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii && cjk_font_data().empty()) {
        const std::string path = cjk_font_path();
        throw Error(
            path.empty() ? "no Noto Sans CJK font is installed, and the map's Chinese would be drawn as '?'"
                         : "the Noto Sans CJK font " + path +
                               " cannot be read, and the map's Chinese would be drawn as '?'",
            {},
            path.empty()
                ? "install it: apt-get install fonts-noto-cjk, or name a font file in GRIDWATCH_CJK_FONT"
                : "reinstall it with apt-get install --reinstall fonts-noto-cjk, or name a readable font "
                  "file in GRIDWATCH_CJK_FONT");
    }
    std::vector<std::string> beyond;  // UTF-8 lead bytes 0xF0–0xF4: four bytes, past U+FFFF
    for (size_t i = 0; i < text.size(); ++i)
        if (static_cast<unsigned char>(text[i]) >= 0xF0 && i + 4 <= text.size()) {
            std::string c = text.substr(i, 4);
            if (std::find(beyond.begin(), beyond.end(), c) == beyond.end()) beyond.push_back(std::move(c));
            i += 3;
        }
    return beyond;
}

ImFont* add_cjk_font(ImFontAtlas* atlas, float px, const ImWchar* ranges) {
    const std::vector<char>& data = cjk_font_data();
    if (data.empty()) return nullptr;
    ImFontConfig cfg;
    // Noto Sans CJK SC in Debian's collection (0 JP, 1 KR, 2 SC, 3 TC); a single font is font 0.
    const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(data[i])); };
    const uint32_t fonts = byte(8) << 24 | byte(9) << 16 | byte(10) << 8 | byte(11);
    cfg.FontNo = std::string(data.data(), 4) == "ttcf" && fonts > 2 ? 2 : 0;
    cfg.OversampleH = 1;  // CJK glyph sets are large; horizontal oversampling doubles the atlas
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    // ImGui 1.86 copies font data it is told it does not own (20 MB of fresh memory a size: four
    // sizes were 80 MB, 0.1–0.15 s of a county render). Told it owns the data, it keeps the pointer;
    // the flag is then cleared so that the atlas never frees what this process keeps.
    cfg.FontDataOwnedByAtlas = true;
    ImFont* font = atlas->AddFontFromMemoryTTF(const_cast<char*>(data.data()), static_cast<int>(data.size()),
                                               px, &cfg, ranges);
    for (ImFontConfig& c : atlas->ConfigData)
        if (c.FontData == data.data()) c.FontDataOwnedByAtlas = false;
    return font;
}

FontSet load_fonts(ImFontAtlas* atlas, const std::string& text, float ui_px) {
    FontSet fs;
    if (cjk_font_data().empty()) {
        fs.ui = atlas->AddFontDefault();
        fs.labels = {fs.ui, fs.ui, fs.ui};
        return fs;
    }
    // Ranges must outlive the atlas build: keep one set per process (texts only grow).
    static std::vector<std::unique_ptr<ImVector<ImWchar>>> keep;
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(atlas->GetGlyphRangesDefault());
    builder.AddText(text.c_str(), text.c_str() + text.size());
    builder.AddText("…×·—°′″，。：；（）、？！“”《》");
    keep.push_back(std::make_unique<ImVector<ImWchar>>());
    builder.BuildRanges(keep.back().get());
    fs.ui = add_cjk_font(atlas, ui_px, keep.back()->Data);
    for (size_t i = 0; i < fs.labels.size(); ++i)
        fs.labels[i] = add_cjk_font(atlas, fs.label_px[i], keep.back()->Data);
    fs.cjk = fs.ui != nullptr;
    if (!fs.ui) {
        fs.ui = atlas->AddFontDefault();
        fs.labels = {fs.ui, fs.ui, fs.ui};
    }
    return fs;
}

namespace {

/** Appends the strings of `s` that need more than ASCII (which the default ranges hold already). */
struct TextSink {
    std::string t;
    void add(const std::string& s) {
        for (unsigned char c : s)
            if (c >= 0x80) {
                t += s;
                t += ' ';
                return;
            }
    }
    void extra(const Feature& f) {
        for (const auto& e : f.extra) add(e);
    }
    void row(const Grid& g) { add(g.name), add(g.manager), add(g.grid_id), extra(g); }
    void row(const Household& h) { add(h.head), add(h.hh_id), extra(h); }
    void row(const Camera& c) { add(c.cam_id), add(c.owner), extra(c); }
    void row(const Enterprise& e) { add(e.name), add(e.industry), extra(e); }
    void row(const Road& r) { add(r.name), extra(r); }
    void row(const Incident& i) { add(i.inc_id), extra(i); }
    void row(const Facility& f) { add(f.name), add(f.kind), extra(f); }
    template <class T>
    void row(const T&) {}  // buildings, candidates, checks, patrols: nothing the map labels
};

}  // namespace

std::string layer_text(const Dataset& ds, const std::string& canonical) {
    TextSink sink;
    if (auto it = ds.extra_fields.find(canonical); it != ds.extra_fields.end())
        for (const auto& n : it->second.names) sink.add(n);
    with_layer_rows(ds, canonical, [&](const auto& rows) {
        for (const auto& r : rows) sink.row(r);
    });
    return std::move(sink.t);
}

std::string dataset_text(const Dataset& ds) {
    std::string t;
    for (const auto& l : canonical_layers()) t += layer_text(ds, l);
    TextSink others;
    for (const auto& o : ds.other_layers) others.add(o.name);  // the layer panel lists them by name
    return t + others.t;
}

std::string cut_to_width(ImFont* font, float px, float max_w, const std::string& text) {
    const char* const b = text.c_str();
    const char* const e = b + text.size();
    if (font->CalcTextSizeA(px, FLT_MAX, 0, b, e).x <= max_w) return text;
    // Measured once: ImGui stops at the first character past the room left beside the "…" and
    // says where (always at a character's first byte).
    const char* const ellipsis = "…";
    const float room = std::max(0.f, max_w - font->CalcTextSizeA(px, FLT_MAX, 0, ellipsis).x);
    const char* fits = b;
    font->CalcTextSizeA(px, room, 0, b, e, &fits);
    return std::string(b, fits) + ellipsis;
}

}  // namespace gw::app
