#pragma once
// The plan of the model community 大坪子社区 (SPEC §2): sizes, counts and the tables every copy
// follows. The seed moves things about; these stay. Internal to geo/demo/.
#include <utility>
#include <vector>

namespace gw::demo_detail {

constexpr int kCols = 4, kRows = 3;  // lattice blocks
constexpr double kCell = 900;        // lattice spacing, m
constexpr double kHalfWidth = kCols * kCell / 2, kHalfHeight = kRows * kCell / 2;
constexpr double kSouthEdgeY = -1390;  // the outline's south edge: a stream just south of G320
constexpr double kG320Y = -1230;       // mean northing of G320
constexpr double kG320HalfLength = 2150;
constexpr double kParcelSetback = 18;                    // enterprise fences from G320's centre line, m
constexpr double kEnterpriseArea = 1150 * 10000.0 / 15;  // 1,150 mu (1 mu = 10,000/15 m²)
constexpr int kEnterprises = 12;
constexpr int kEnterpriseCameras = 32, kRoadCameras = 15, kCameraHouseholds = 105, kTwoCameraHouseholds = 7;
constexpr int kRelocatedHouseholds = 89;
constexpr double kHouseSpacing = 20;                        // least distance between two rural houses, m
constexpr double kCopyStrideX = 4800, kCopyStrideY = 3800;  // scale N: communities side by side

// The daily work (SPEC §5.5): 30 days of checks and patrols ending on the last day of the
// incidents (2026-10-31), so a report and the month's incidents can be read side by side.
constexpr int kDailyDays = 30;
constexpr int kDailyLastYear = 2026, kDailyLastMonth = 10, kDailyLastDay = 31;

struct VillagerGroupPlan {
    const char* name;
    const char* hamlet;  // the hamlet (寨) name its joint-defence groups are called after
    int district;        // index of its L2 片区
    std::vector<std::pair<int, int>> blocks;  // lattice blocks (column, row)
    int joint_groups;                         // L4 cells
    bool resettlement;
};

// The 8 villager groups; their 97 joint-defence groups. Districts are 2 × 2 blocks west, 2 × 2
// east and the northern row.
inline const std::vector<VillagerGroupPlan>& villager_groups() {
    static const std::vector<VillagerGroupPlan> plans = {
        {"大坪子一组", "下寨", 0, {{0, 0}, {1, 0}}, 12, false},
        {"大坪子二组", "河边", 1, {{2, 0}, {3, 0}}, 12, false},
        {"大坪子三组", "中寨", 0, {{0, 1}}, 7, false},
        {"大坪子四组", "大坪", 0, {{1, 1}}, 7, false},
        {"大坪子五组", "新寨", 1, {{2, 1}, {3, 1}}, 15, false},
        {"大坪子六组", "上寨", 2, {{0, 2}, {1, 2}}, 15, false},
        {"罗家大坡安置点", "罗家大坡", 2, {{2, 2}}, 22, true},
        {"大坪子七组", "松林", 2, {{3, 2}}, 7, false},
    };
    return plans;
}
const char* const kDistricts[] = {"第一片区", "第二片区", "第三片区"};

// Households per joint-defence group: 3–5 (3户5户联防). Fixed multisets, shuffled, so the totals
// (325 rural + 89 relocated = 414 households) do not depend on the seed. A hamlet's total comes
// from the multiset; place_hamlets then cuts it into groups of 3–5 anew to keep each group's
// cell in one piece.
inline std::vector<int> rural_group_sizes() {
    std::vector<int> v;
    v.insert(v.end(), 6, 3), v.insert(v.end(), 38, 4), v.insert(v.end(), 31, 5);
    return v;  // 75 groups
}
inline std::vector<int> relocated_group_sizes() {
    std::vector<int> v;
    v.insert(v.end(), 1, 3), v.insert(v.end(), 19, 4), v.insert(v.end(), 2, 5);
    return v;  // 22 groups, 89 households
}

struct EnterprisePlan {
    const char* name;
    const char* industry;
};
// Longling's industries: silicon, building materials, stone and 黄龙玉 jade, tea, coffee, timber.
const EnterprisePlan kEnterprisePlans[] = {
    {"龙陵恒鑫硅业有限公司", "硅材料"},
    {"龙陵县龙山建材有限公司", "建材"},
    {"大坪子石材加工厂", "石材加工"},
    {"龙陵县坪子茶叶有限公司", "茶叶加工"},
    {"保山顺达物流有限公司龙陵分公司", "物流"},
    {"龙陵兴林木业有限公司", "木材加工"},
    {"龙陵县滇西食品有限公司", "食品加工"},
    {"龙陵县通达汽车维修厂", "汽车维修"},
    {"龙陵宏远商砼有限公司", "混凝土"},
    {"龙陵黄龙玉雕刻厂", "黄龙玉加工"},
    {"龙陵县绿源农产品冷链有限公司", "冷链仓储"},
    {"龙陵县丰收饲料有限公司", "饲料"},
    {"龙陵县金鼎铸造有限公司", "铸造"},
    {"大坪子咖啡加工厂", "咖啡加工"},
};

}  // namespace gw::demo_detail
