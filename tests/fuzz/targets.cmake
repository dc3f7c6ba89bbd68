# The fuzz targets: one name each, the sources and the compile definitions that make it. Read by
# CMakeLists.txt twice: for the libFuzzer build (GRIDWATCH_FUZZ, clang) and for the replay tests
# of the ordinary build (replay_main.cpp instead of libFuzzer's main).
set(GW_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(GW_FUZZ_TARGETS gpkg geojson kml csv shapefile project)
foreach(t gpkg geojson kml csv shapefile)
  set(GW_FUZZ_${t}_SOURCES ${GW_FUZZ_DIR}/fuzz_dataset.cpp)
endforeach()
set(GW_FUZZ_gpkg_DEFINES GW_FUZZ_GPKG)
set(GW_FUZZ_geojson_DEFINES GW_FUZZ_GEOJSON)
set(GW_FUZZ_kml_DEFINES GW_FUZZ_KML)
set(GW_FUZZ_csv_DEFINES GW_FUZZ_CSV)
set(GW_FUZZ_shapefile_DEFINES GW_FUZZ_SHAPEFILE)
set(GW_FUZZ_project_SOURCES ${GW_FUZZ_DIR}/fuzz_project.cpp)
set(GW_FUZZ_project_DEFINES GW_FUZZ_PROJECT)
