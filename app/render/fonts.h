#pragma once
/**
 * Chinese-capable fonts for ImGui: Noto Sans CJK SC (fonts-noto-cjk) with a glyph set built from
 * the text actually shown. The common-Chinese table of ImGui misses place-name characters such
 * as 坪 (大坪子), so every string of the dataset and the UI goes through the glyph builder.
 */
#include <imgui.h>

#include <array>
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw::app {

struct FontSet {
    ImFont* ui = nullptr;
    // Sizes are line heights, as ImGui takes them: Noto CJK's em is ~0.69 of the line height.
    std::array<ImFont*, 3> labels{};  // map labels pick the nearest size
    std::array<float, 3> label_px{17, 22, 30};
    bool cjk = false;  // false when the Noto CJK file is missing (Chinese shows as '?')
    /** The label font whose rasterised size is nearest to `px`. */
    ImFont* label_for(float px) const;
};

/**
 * Adds the fonts to `atlas` (before it is built) with glyphs for ASCII and every character of
 * `text`. Falls back to ImGui's built-in font, with cjk = false, when the font file is missing.
 */
FontSet load_fonts(ImFontAtlas* atlas, const std::string& text, float ui_px = 20);

/** Every string of a dataset that the map or an inspector may show, concatenated. */
std::string dataset_text(const Dataset& ds);

/** dataset_text's part for one SPEC §3 layer (its rows and its other fields' names). */
std::string layer_text(const Dataset& ds, const std::string& canonical);

/**
 * `text` as it is when it fits `max_w` pixels in `font` at `px`, else cut at a character with "…"
 * added so that it does: for names in a fixed column (the wall's list, the layer panel).
 */
std::string cut_to_width(ImFont* font, float px, float max_w, const std::string& text);

/** Path of the Noto Sans CJK collection used: GRIDWATCH_CJK_FONT, else Debian's ("" when none is installed).
 */
std::string cjk_font_path();

/**
 * For an image that draws `text`: throws gw::Error when the text needs more than ASCII and the
 * Noto CJK font is missing or unreadable (every Chinese character would be drawn as '?'). Returns
 * the distinct characters past U+FFFF in it (𠮷), which ImGui 1.86's 16-bit glyphs draw as '?'.
 */
std::vector<std::string> require_glyphs(const std::string& text);

/**
 * Adds Noto Sans CJK SC at `px` with the glyphs of `ranges` (which must outlive the atlas build),
 * every size reading the one copy of the collection this process holds; null when no CJK font is
 * installed or ImGui cannot read it.
 */
ImFont* add_cjk_font(ImFontAtlas* atlas, float px, const ImWchar* ranges);

}  // namespace gw::app
