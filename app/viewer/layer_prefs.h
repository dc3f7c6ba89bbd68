#pragma once
/**
 * The looks of the map's layers kept between viewer sessions: visibility, opacity and the style
 * of the layer panel (colour, line width, point size), by canonical layer name, in
 * $XDG_CONFIG_HOME/gridwatch/layers.json (else ~/.config/gridwatch/layers.json). Analysis
 * overlays and basemaps are not kept: they follow their panels and command-line options.
 */
#include <string>

#include "app/render/scene.h"

namespace gw::app {

/** The preferences file, or "" when neither XDG_CONFIG_HOME nor HOME is set. */
std::string layer_prefs_path();

/**
 * Applies the saved looks to the scene's layers of the same name. A missing file changes nothing;
 * an unreadable or malformed one prints one line on stderr and changes nothing.
 */
void load_layer_prefs(Scene& scene, const std::string& path);

/** The kept looks of the scene as the file's JSON text (the layers in drawing order). */
std::string layer_prefs_json(const Scene& scene);

/** Writes layer_prefs_json (temporary name, renamed); a failure prints one line on stderr. */
void save_layer_prefs(const Scene& scene, const std::string& path);

}  // namespace gw::app
