#pragma once
/**
 * The viewer's UI strings in Simplified Chinese (default) and English. One table, so the font
 * loader can put every Chinese UI character into the glyph set (see fonts.h).
 */
#include <string>

namespace gw::app {

enum class Lang { Zh, En };

// X-macro: id, Chinese, English.
#define GW_UI_STRINGS(X)                                              \
    X(File, "文件", "File")                                           \
    X(Quit, "退出", "Quit")                                           \
    X(View, "视图", "View")                                           \
    X(FitAll, "全图", "Fit all")                                      \
    X(Language, "语言", "Language")                                   \
    X(Layers, "图层", "Layers")                                       \
    X(Opacity, "透明度", "Opacity")                                   \
    X(Up, "上移", "Up")                                               \
    X(Down, "下移", "Down")                                           \
    X(Choropleth, "分级设色", "Choropleth")                           \
    X(Statistic, "统计量", "Statistic")                               \
    X(Level, "网格级别", "Grid level")                                \
    X(Labels, "注记", "Labels")                                       \
    X(Search, "搜索", "Search")                                       \
    X(SearchHint, "网格名称/编号、户主、摄像头编号", "grid name/id, household head, camera id") \
    X(NoMatch, "无匹配结果", "no match")                              \
    X(Inspect, "属性", "Attributes")                                  \
    X(ClickHint, "点击地图要素查看属性", "click a feature to inspect it") \
    X(Field, "字段", "Field")                                         \
    X(Value, "值", "Value")                                           \
    X(ZoomTo, "缩放至", "Zoom to")                                    \
    X(LayerChoropleth, "网格分级设色", "Grid choropleth")             \
    X(LayerEnterprises, "企业", "Enterprises")                        \
    X(LayerBuildings, "建筑", "Buildings")                            \
    X(LayerRoads, "道路", "Roads")                                    \
    X(LayerGrids, "网格", "Grids")                                    \
    X(LayerCameraViews, "监控视域", "Camera views")                   \
    X(LayerHouseholds, "住户", "Households")                          \
    X(LayerCameras, "摄像头", "Cameras")                              \
    X(LayerIncidents, "事件", "Incidents")                            \
    X(LayerFacilities, "设施", "Facilities")                          \
    X(LayerCandidates, "候选点位", "Candidate sites")                 \
    X(StatHouseholds, "户数", "Households")                           \
    X(StatPeople, "人口", "People")                                   \
    X(StatCameras, "摄像头数", "Cameras")                             \
    X(StatCamerasOffline, "离线摄像头", "Offline cameras")            \
    X(StatIncidents, "事件数", "Incidents")                           \
    X(Grid, "网格", "Grid")                                           \
    X(Household, "住户", "Household")                                 \
    X(Camera, "摄像头", "Camera")                                     \
    X(Enterprise, "企业", "Enterprise")                               \
    X(Road, "道路", "Road")                                           \
    X(Building, "建筑", "Building")                                   \
    X(Incident, "事件", "Incident")                                   \
    X(Facility, "设施", "Facility")                                   \
    X(Candidate, "候选点位", "Candidate site")                        \
    X(North, "北", "N")                                               \
    X(Legend, "图例", "Legend")                                       \
    X(Features, "要素", "features")                                   \
    X(WorkingCrs, "工作坐标系", "working CRS")

enum class Ui {
#define GW_UI_ID(id, zh, en) id,
    GW_UI_STRINGS(GW_UI_ID)
#undef GW_UI_ID
        Count
};

/** The string `id` in `lang`. */
const char* tr(Ui id, Lang lang);

/** Every Chinese UI string, for the glyph builder. */
std::string all_ui_text();

}  // namespace gw::app
