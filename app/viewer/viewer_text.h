#pragma once
/**
 * The viewer's UI strings in Simplified Chinese (default) and English. One table, so the font
 * loader can put every Chinese UI character into the glyph set (see fonts.h).
 */
#include <string>

namespace gw::app {

enum class Lang { Zh, En };

// X-macro: id, Chinese, English.
#define GW_UI_STRINGS(X)                                                                                     \
    X(File, "文件", "File")                                                                                  \
    X(Quit, "退出", "Quit")                                                                                  \
    X(LiveLost, "连接中断，正在重连…", "Connection lost, reconnecting…")                                     \
    X(LiveLag, "复制延迟", "Replication lag")                                                                \
    X(View, "视图", "View")                                                                                  \
    X(FitAll, "全图", "Fit all")                                                                             \
    X(Language, "语言", "Language")                                                                          \
    X(Layers, "图层", "Layers")                                                                              \
    X(Opacity, "透明度", "Opacity")                                                                          \
    X(Up, "上移", "Up")                                                                                      \
    X(Down, "下移", "Down")                                                                                  \
    X(Choropleth, "分级设色", "Choropleth")                                                                  \
    X(Statistic, "统计量", "Statistic")                                                                      \
    X(Level, "网格级别", "Grid level")                                                                       \
    X(Labels, "注记", "Labels")                                                                              \
    X(Search, "搜索", "Search")                                                                              \
    X(SearchHint, "网格名称/编号、户主、摄像头编号", "grid name/id, household head, camera id")              \
    X(NoMatch, "无匹配结果", "no match")                                                                     \
    X(Inspect, "属性", "Attributes")                                                                         \
    X(ClickHint, "点击地图要素查看属性", "click a feature to inspect it")                                    \
    X(Field, "字段", "Field")                                                                                \
    X(Value, "值", "Value")                                                                                  \
    X(ZoomTo, "缩放至", "Zoom to")                                                                           \
    X(LayerChoropleth, "网格分级设色", "Grid choropleth")                                                    \
    X(LayerEnterprises, "企业", "Enterprises")                                                               \
    X(LayerBuildings, "建筑", "Buildings")                                                                   \
    X(LayerRoads, "道路", "Roads")                                                                           \
    X(LayerGrids, "网格", "Grids")                                                                           \
    X(LayerCameraViews, "监控视域", "Camera views")                                                          \
    X(LayerHouseholds, "住户", "Households")                                                                 \
    X(LayerCameras, "摄像头", "Cameras")                                                                     \
    X(LayerIncidents, "事件", "Incidents")                                                                   \
    X(LayerFacilities, "设施", "Facilities")                                                                 \
    X(LayerCandidates, "候选点位", "Candidate sites")                                                        \
    X(StatHouseholds, "户数", "Households")                                                                  \
    X(StatPeople, "人口", "People")                                                                          \
    X(StatCameras, "摄像头数", "Cameras")                                                                    \
    X(StatCamerasOffline, "离线摄像头", "Offline cameras")                                                   \
    X(StatIncidents, "事件数", "Incidents")                                                                  \
    X(Grid, "网格", "Grid")                                                                                  \
    X(Household, "住户", "Household")                                                                        \
    X(Camera, "摄像头", "Camera")                                                                            \
    X(Enterprise, "企业", "Enterprise")                                                                      \
    X(Road, "道路", "Road")                                                                                  \
    X(Building, "建筑", "Building")                                                                          \
    X(Incident, "事件", "Incident")                                                                          \
    X(Facility, "设施", "Facility")                                                                          \
    X(Candidate, "候选点位", "Candidate site")                                                               \
    X(North, "北", "N")                                                                                      \
    X(Legend, "图例", "Legend")                                                                              \
    X(Features, "要素", "features")                                                                          \
    X(WorkingCrs, "工作坐标系", "working CRS")                                                               \
    X(Analysis, "分析", "Analysis")                                                                          \
    X(CoveragePanel, "覆盖与盲区", "Coverage and gaps")                                                      \
    X(LayerCoverage, "网格覆盖率", "Cell coverage")                                                          \
    X(LayerGaps, "监控盲区", "Coverage gaps")                                                                \
    X(LayerHotspots, "热点分析", "Hotspots")                                                                 \
    X(LayerPlan, "布点方案", "Placement plan")                                                               \
    X(Total, "合计", "Total")                                                                                \
    X(CoveragePct, "覆盖率", "Coverage")                                                                     \
    X(HouseholdsSeen, "覆盖户数", "Households seen")                                                         \
    X(GridId, "网格编号", "Grid id")                                                                         \
    X(Name, "名称", "Name")                                                                                  \
    X(Cells, "网格覆盖", "Cells")                                                                            \
    X(Gaps, "盲区（按面积）", "Gaps (largest first)")                                                        \
    X(AreaM2, "面积 m²", "Area m²")                                                                          \
    X(NearestRoad, "最近道路", "Nearest road")                                                               \
    X(EditCameras, "编辑摄像头", "Edit cameras")                                                             \
    X(EditHint, "选中摄像头后拖动：圆心移动，蓝色手柄旋转，橙色手柄调视角",                                  \
      "select a camera, then drag: centre moves, blue handle rotates, orange handle widens")                 \
    X(AddCamera, "添加摄像头", "Add camera")                                                                 \
    X(Undo, "撤销", "Undo")                                                                                  \
    X(Redo, "重做", "Redo")                                                                                  \
    X(Save, "保存到数据", "Save to dataset")                                                                 \
    X(Saved, "摄像头已保存", "cameras saved")                                                                \
    X(Unsaved, "有未保存的修改", "unsaved edits")                                                            \
    X(ConflictTitle, "保存冲突", "Save conflicts")                                                           \
    X(ConflictIntro, "以下摄像头在读取后已被他人修改，尚未写入任何内容。请逐个选择：",                       \
      "these cameras were changed by someone else since they were read; nothing was written. Choose for "    \
      "each:")                                                                                               \
    X(ConflictCamera, "摄像头", "Camera")                                                                    \
    X(ConflictRead, "读取时版本", "read at version")                                                         \
    X(ConflictNow, "现在版本", "now version")                                                                \
    X(ConflictGone, "已被删除或无权访问", "deleted, or not yours")                                           \
    X(ConflictDeleted, "我的修改：删除", "mine: deleted")                                                    \
    X(Theirs, "他们的", "Theirs")                                                                            \
    X(Mine, "我的", "Mine")                                                                                  \
    X(KeepMine, "保留我的", "Keep mine")                                                                     \
    X(TakeTheirs, "采用他们的", "Take theirs")                                                               \
    X(ConflictsPending, "保存冲突：请在冲突窗口中逐个选择", "save conflicts: choose in the conflict window") \
    X(Computing, "计算中…", "computing…")                                                                    \
    X(HotspotsPanel, "事件热点", "Incident hotspots")                                                        \
    X(Method, "方法", "Method")                                                                              \
    X(MethodKde, "核密度", "Kernel density")                                                                 \
    X(MethodGi, "Gi* 冷热点", "Gi* hot/cold spots")                                                          \
    X(MethodDbscan, "DBSCAN 聚类", "DBSCAN clusters")                                                        \
    X(MethodFourColour, "四色预警", "Four-colour warning")                                                   \
    X(BandwidthM, "带宽 (米, 0=自动)", "Bandwidth (m, 0 = auto)")                                            \
    X(CellM, "像元 (米)", "Cell (m)")                                                                        \
    X(EpsM, "邻域半径 (米)", "Radius eps (m)")                                                               \
    X(MinPts, "最少点数", "Min points")                                                                      \
    X(FromMonth, "起始月", "From month")                                                                     \
    X(ToMonth, "截止月", "To month")                                                                         \
    X(IncidentType, "事件类型", "Incident type")                                                             \
    X(AllTypes, "全部类型", "all types")                                                                     \
    X(IncidentsIn, "范围内事件", "incidents in window")                                                      \
    X(Clusters, "聚类", "clusters")                                                                          \
    X(Hot, "热点", "hot")                                                                                    \
    X(Cold, "冷点", "cold")                                                                                  \
    X(NotSignificant, "不显著", "not significant")                                                           \
    X(Density, "密度 (起/km²)", "density (per km²)")                                                         \
    X(Red, "红", "red")                                                                                      \
    X(Yellow, "黄", "yellow")                                                                                \
    X(Blue, "蓝", "blue")                                                                                    \
    X(Green, "绿", "green")                                                                                  \
    X(PlanPanel, "摄像头布点", "Camera placement")                                                           \
    X(NewCameras, "新增数量 K", "New cameras K")                                                             \
    X(FovDeg, "视角 (度)", "Field of view (°)")                                                              \
    X(RangeM, "视距 (米)", "Range (m)")                                                                      \
    X(Quality, "画质要求", "Image quality")                                                                  \
    X(QualityAny, "不限", "any")                                                                             \
    X(QualityDetect, "探测 (≥25 px/m)", "detect (≥ 25 px/m)")                                                \
    X(QualityObserve, "观察 (≥62.5 px/m)", "observe (≥ 62.5 px/m)")                                          \
    X(QualityRecognise, "识别 (≥125 px/m)", "recognise (≥ 125 px/m)")                                        \
    X(QualityIdentify, "辨认 (≥250 px/m)", "identify (≥ 250 px/m)")                                          \
    X(DemandWeights, "需求权重", "Demand weights")                                                           \
    X(WRoad, "道路", "road")                                                                                 \
    X(WHousehold, "住户", "household")                                                                       \
    X(WIncident, "事件", "incident")                                                                         \
    X(WEnterprise, "企业", "enterprise")                                                                     \
    X(Run, "运行", "Run")                                                                                    \
    X(Accept, "采纳方案", "Accept")                                                                          \
    X(Gain, "增益", "gain")                                                                                  \
    X(CoveredWeight, "已覆盖需求", "covered demand")                                                         \
    X(UpperBound, "最优上界", "upper bound")                                                                 \
    X(CurveTitle, "覆盖需求随 K 变化", "covered demand vs K")                                                \
    X(LayerBasemap, "底图", "Basemap")                                                                       \
    X(NotRecognised, "未识别", "not recognised")                                                             \
    X(NotRecognisedHint, "未识别的图层：只绘制，不参与分析",                                                 \
      "a layer no role uses: drawn, left out of analyses")                                                   \
    X(Style, "样式", "Style")                                                                                \
    X(Colour, "颜色", "Colour")                                                                              \
    X(UseColour, "统一颜色", "Single colour")                                                                \
    X(LineWidth, "线宽 ×", "Line width ×")                                                                   \
    X(PointSize, "符号大小 ×", "Point size ×")                                                               \
    X(ResetStyle, "恢复默认样式", "Reset style")                                                             \
    X(GiNeighbours, "空间权重", "Neighbours")                                                                \
    X(GiQueen, "网格邻接 (Queen)", "Queen contiguity of cells")                                              \
    X(GiBand, "距离带", "Distance band")                                                                     \
    X(GiHex, "六边形网格", "Hexagon mesh")                                                                   \
    X(BandM, "距离带 (米)", "Band (m)")                                                                      \
    X(HexM, "六边形大小 (米)", "Hexagon size (m)")                                                           \
    X(Permutations, "置换次数", "Permutations")                                                              \
    X(NormalP, "0 (正态近似)", "0 (normal approximation)")                                                   \
    X(Seed, "随机种子", "Seed")                                                                              \
    X(Fdr, "FDR 校正 (Benjamini–Hochberg)", "FDR (Benjamini–Hochberg)")                                      \
    X(GiValue, "分析值", "Value")                                                                            \
    X(ValueCounts, "事件数", "incident count")                                                               \
    X(ValuePerHousehold, "每户事件数", "incidents per household")                                            \
    X(NoHouseholdUnits, "无住户单元 (取平均值)", "units without households (mean rate)")                     \
    X(Significant, "显著单元 (按 |z| 排序)", "Significant units (by |z|)")                                   \
    X(NoneSignificant, "无显著单元", "no significant units")                                                 \
    X(HexId, "六边形", "Hexagon")                                                                            \
    X(Class, "类别", "Class")                                                                                \
    X(MappingPanel, "这一层是什么？", "What is this layer?")                                                 \
    X(MappingMenu, "图层用途映射…", "Map layers to roles…")                                                  \
    X(UnrecognisedLayers, "个图层未识别：只绘制，不参与分析", "layers not recognised: drawn, not analysed")  \
    X(AssignLayers, "指定用途…", "Assign…")                                                                  \
    X(Dismiss, "关闭", "Dismiss")                                                                            \
    X(SourceLayer, "源图层", "Source layer")                                                                 \
    X(Role, "用途", "Role")                                                                                  \
    X(RequiredFields, "必填字段", "Required fields")                                                         \
    X(OptionalFields, "可选字段", "Optional fields")                                                         \
    X(NotUsed, "（不使用）", "(not used)")                                                                   \
    X(ValueMapping, "取值对应", "Value mapping")                                                             \
    X(SourceValue, "源数据取值", "Source value")                                                             \
    X(MoreValues, "（另有更多取值）", "(more values not listed)")                                            \
    X(Apply, "应用", "Apply")                                                                                \
    X(MappingSaved, "映射已保存：", "mapping saved: ")                                                       \
    X(ChooseField, "请为必填字段选择源字段：", "choose a source field for: ")                                \
    X(AllRecognised, "所有图层均已识别", "every layer is recognised")                                        \
    X(UsableCameras, "可用于分析", "usable in analyses")                                                     \
    X(LayerChecks, "巡查", "Checks")                                                                         \
    X(LayerPatrols, "巡逻", "Patrols")                                                                       \
    X(LayerCheckCells, "网格巡查天数", "Days since check")                                                   \
    X(LayerDaily, "当日巡查与巡逻", "Daily work")                                                            \
    X(LayerDailyTracks, "窗口内巡逻轨迹", "Patrol tracks of the window")                                     \
    X(DailyPanel, "巡查", "Daily work")                                                                      \
    X(NotesPanel, "读取提示", "Reading notes")                                                               \
    X(NotesHint, "读取数据时略去、读作空值或修复的内容（命令行在 stderr 列出同样的内容）",                   \
      "What reading left out, read as nothing or repaired (the command line names the same on stderr)")      \
    X(CheckItem, "巡查", "Check")                                                                            \
    X(PatrolItem, "巡逻轨迹", "Patrol track")                                                                \
    X(Date, "日期", "Date")                                                                                  \
    X(DaysWindow, "统计天数", "Days in window")                                                              \
    X(DaysSince, "距上次巡查 (天)", "Days since last check")                                                 \
    X(Never, "从未巡查", "never")                                                                            \
    X(CheckedToday, "当日已巡查", "checked on the day")                                                      \
    X(OverdueCells, "未巡查网格 (点击缩放)", "Cells not checked (click to zoom)")                            \
    X(DaysCol, "天", "days")                                                                                 \
    X(Manager, "网格长", "Manager")                                                                          \
    X(ReportsOfDay, "当日上报", "Reports of the day")                                                        \
    X(TracksInWindow, "巡逻轨迹 (按队伍)", "Patrol tracks (by team)")                                        \
    X(NeitherRoads, "无监控无巡逻道路", "Roads no camera or patrol covers")                                  \
    X(CellHistory, "网格巡查记录", "Cell history")                                                           \
    X(ClickCellHint, "点击地图上的网格查看巡查记录", "click a cell on the map for its history")              \
    X(OutsideCell, "不在所报网格内", "outside its cell")                                                     \
    X(NoChecks, "数据中没有巡查记录：用 gridwatch import 数据集 --checks 文件 导入手机上报",                 \
      "the data holds no checks: import phone reports with gridwatch import DATASET --checks FILE")          \
    X(NoReports, "无上报", "no reports")                                                                     \
    X(KindRoutine, "例行", "routine")                                                                        \
    X(KindNewcomer, "新居民", "newcomer")                                                                    \
    X(KindReturnee, "返乡人员", "returnee")                                                                  \
    X(KindHazard, "隐患", "hazard")                                                                          \
    X(KindDispute, "纠纷", "dispute")                                                                        \
    X(KindOther, "其他", "other")                                                                            \
    X(TeamPatrol, "巡逻队", "patrol")                                                                        \
    X(TeamJoint, "联防队", "joint")                                                                          \
    X(TeamGrid, "网格员", "grid")                                                                            \
    X(TeamVideo, "视频巡查", "video")                                                                        \
    X(WallHouseholds, "户数", "Households")                                                                  \
    X(WallCamerasOnline, "摄像头在线", "Cameras online")                                                     \
    X(WallCoverage, "覆盖率", "Coverage")                                                                    \
    X(WallIncidentsMonth, "本月事件", "Incidents")                                                           \
    X(WallIncidents, "事件", "Incidents")                                                                    \
    X(WallCheckedToday, "今日已巡查", "Checked today")                                                       \
    X(WallChecked, "已巡查", "Checked")                                                                      \
    X(WallUnchecked, "未巡查网格", "Cells not checked")                                                      \
    X(WallNewcomers, "新居民", "Newcomers")                                                                  \
    X(WallReturnees, "返乡人员", "Returnees")                                                                \
    X(WallDaysUnit, "天", " d")                                                                              \
    X(WallNever, "从未", "never")                                                                            \
    X(WallAllChecked, "全部已巡查", "all checked")                                                           \
    X(WallMoreBefore, "… 另", "… ")                                                                          \
    X(WallMoreAfter, "个", " more")                                                                          \
    X(WallSinceLastCheck, "距上次巡查", "Since last check")                                                  \
    X(WallGrid, "网格", "Grid")                                                                              \
    X(WallViews, "视野", "Views")                                                                            \
    X(WallCameras, "摄像头", "Cameras")                                                                      \
    X(WallResidents, "住户", "Households")                                                                   \
    X(WallGaps, "盲区", "Blind spots")                                                                       \
    X(WallDensity, "事件密度", "Incident density")                                                           \
    X(WallHot, "热点", "Hot spots")                                                                          \
    X(WallCold, "冷点", "Cold spots")                                                                        \
    X(WallWarning, "网格预警", "Cell warning")

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
