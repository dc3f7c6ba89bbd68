#pragma once
/**
 * The project file beside a dataset (DATASET.gridwatch.json): wall scenes, the four-colour
 * warning thresholds and the mapping of the layer and field names users bring (geo/io/names.h). Scenes are what the control-room wall steps through (SPEC §6).
 */
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/io/names.h"

namespace gw {

struct Scene {
    std::string name;      // short id, e.g. "luojiadapo"
    std::string title, subtitle;
    Box extent;            // working CRS
    std::vector<std::string> layers;  // visible layers (canonical names); empty = all
    std::string overlay;   // "", "coverage", "gaps", "kde", "gi", "warning"
};

struct Project {
    std::vector<Scene> scenes;
    WarningThresholds warning;
    NameMapping mapping;  // names for layers and fields (SPEC §3), kept as the file has them
};

// project_path_for (DATASET + ".gridwatch.json") is geo/core/model.h's: the analyses' advice names it too.

/** Reads the "warning" object of a project file (JSON) when it exists; defaults otherwise. */
WarningThresholds load_warning_thresholds(const std::string& project_file);

/** Reads a project file; throws gw::Error naming the file and key when it is malformed. */
Project load_project(const std::string& path);
/** Writes it (temporary name, renamed). */
void save_project(const Project& p, const std::string& path);

/**
 * The default scenes: the whole community, each level-2 area, the relocation site (a cell named
 * 罗家大坡…), the G320 junction (the persuasion station), hotspots and blind spots.
 */
std::vector<Scene> default_scenes(const Dataset& ds);

/** The project for a dataset: its project file when there is one, else the defaults. */
Project project_for(const Dataset& ds);

}  // namespace gw
