#pragma once
/**
 * One file per command (cmd_*.cpp); each adds its subcommand to the root app. The callbacks
 * throw gw::Error for runtime failures (exit 1) and CLI::ValidationError for usage (exit 2).
 */
#include <CLI/CLI.hpp>

namespace gw::app {

void setup_info(CLI::App& root);
void setup_stats(CLI::App& root);
void setup_export(CLI::App& root);
void setup_demo(CLI::App& root);
void setup_view(CLI::App& root);
void setup_render(CLI::App& root);
void setup_coverage(CLI::App& root);
void setup_hotspots(CLI::App& root);
void setup_plan(CLI::App& root);
void setup_checks(CLI::App& root);
void setup_import(CLI::App& root);
void setup_patrols(CLI::App& root);
void setup_db(CLI::App& root);
void setup_edit(CLI::App& root);

}  // namespace gw::app
