// The joint-defence group heads' daily checks (SPEC §3 `checks`, §5.5): 30 days of phone reports.
#include "geo/core/times.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {
namespace {

// What group heads write in the mini-program's note box, by kind (routine reports mostly say nothing).
const char* const kNewcomerNotes[] = {"新租户入住，已登记身份信息", "外地来务工人员，在园区企业上班，已登记",
                                      "亲属来探亲，暂住一周", "新搬入住户，已核实人数"};
const char* const kReturneeNotes[] = {"外省务工返乡，已登记", "从境外返回，已报备社区",
                                      "学生放假返乡", "从外地返回，已提醒健康监测"};
const char* const kHazardNotes[] = {"房屋后边坡有落石隐患，已告知户主", "电线老化，已提醒更换",
                                    "沟渠堵塞，雨天易积水", "路边树木倒伏影响通行", "用火用电隐患，已现场提醒"};
const char* const kDisputeNotes[] = {"邻里宅基地界线纠纷，已现场调解", "土地流转费用争议，已上报村民小组",
                                     "家庭矛盾，已劝解", "牲畜损坏庄稼引发纠纷，已调解"};
const char* const kOtherNotes[] = {"走访独居老人，身体正常", "宣传防范电信诈骗", "宣传森林防火",
                                   "协助办理医保缴费"};
const char* const kRoutineNotes[] = {"一切正常", "无异常", "已走访各户"};

/** How a group head keeps the daily round this month. */
enum class Habit {
    Steady,  // misses a day now and then
    Patchy,  // misses days, often several in a row
    Lapsed,  // stopped reporting some days before the last day
    Absent,  // did not report at all this month (moved away, phone lost)
};

}  // namespace

/**
 * One report a day from each of the 97 group heads, 30 days ending on 2026-10-31, in the morning
 * (each head at a habitual hour, give or take). Most heads report nearly every day; some miss days
 * in runs; a few stopped some days before the last day (overdue 1–12 days then) and one or two did
 * not report this month at all. The phone's point is near one of the group's houses with ~10 m of
 * GPS noise, inside the cell; about 0.7 % come from outside the cell they name (the head reporting
 * from a neighbour's house, or from town). Kinds: routine mostly, a few newcomers and returnees
 * (1–4 people), hazards, disputes, other.
 */
void CommunityBuilder::make_checks() {
    Rng r(stream(kStreamChecks));
    constexpr int64_t kDay = 86400;
    const int64_t last_day = civil_seconds(kDailyLastYear, kDailyLastMonth, kDailyLastDay) / kDay;
    const int64_t first_day = last_day - kDailyDays + 1;
    const std::string base_id = id("");

    struct Cell {
        const Grid* grid;
        std::vector<Vec2> homes;
        bool newcomers = false;  // a newcomer household lives here: more newcomer reports
        Habit habit = Habit::Steady;
        int lapse = 0;  // Lapsed: days without a report at the end of the month
    };
    std::vector<Cell> cells;
    for (const auto& g : out_.grids)
        if (g.level == 4) cells.push_back({&g, {}});
    for (const auto& h : out_.households)
        for (auto& c : cells)
            if (c.grid->grid_id == h.grid_id) {
                c.homes.push_back(h.pos);
                c.newcomers |= h.tags.find("newcomer") != std::string::npos;
            }
    std::vector<Vec2> all_homes;
    for (const auto& h : out_.households) all_homes.push_back(h.pos);

    // Habits: shuffle the cells, then the first one or two are absent, the next six lapsed
    // (days without a report at the end: 1, 1, 2, 3, 5 and 8–12), then about one in eight patchy.
    std::vector<size_t> order(cells.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    r.shuffle(order);
    const size_t absent = r.chance(0.5) ? 2 : 1;
    const int lapses[] = {1, 1, 2, 3, 5, r.integer(8, 12)};
    for (size_t k = 0; k < order.size(); ++k) {
        Cell& c = cells[order[k]];
        if (k < absent)
            c.habit = Habit::Absent;
        else if (k < absent + std::size(lapses))
            c.habit = Habit::Lapsed, c.lapse = lapses[k - absent];
        else if (r.chance(0.13))
            c.habit = Habit::Patchy;
    }

    auto jitter = [&](Vec2 p, double sigma) { return p + Vec2{r.normal() * sigma, r.normal() * sigma}; };
    std::vector<Check> checks;
    for (const Cell& c : cells) {
        const double habitual_hour = r.uniform(7.0, 9.5);
        const bool resettled = c.grid->name.find("罗家大坡") != std::string::npos;
        bool missed_yesterday = false;
        const std::vector<double> kind_weights = {0.943, c.newcomers || resettled ? 0.03 : 0.012, 0.012,
                                                  0.011, resettled ? 0.012 : 0.007, 0.006};
        const std::vector<double> people_weights = {0.45, 0.3, 0.15, 0.1};
        for (int64_t day = first_day; day <= last_day; ++day) {
            const int64_t to_go = last_day - day;  // days before the last day
            bool report = true;
            if (c.habit == Habit::Absent) {
                report = false;
            } else if (c.habit == Habit::Lapsed && to_go < c.lapse) {
                report = false;
            } else if (c.habit == Habit::Lapsed && to_go == c.lapse) {
                report = true;  // the last report before the lapse
            } else if (c.habit == Habit::Patchy) {
                report = !r.chance(missed_yesterday ? 0.45 : 0.12);
            } else {
                report = !r.chance(0.015);
            }
            missed_yesterday = !report;
            if (!report || c.homes.empty()) continue;

            Check ck;
            ck.grid_id = c.grid->grid_id;
            ck.reporter = c.grid->manager;
            // Stable and unique: day and cell, DPZ-CK20261031-G07-03.
            const std::string date = iso_date(day * kDay);
            ck.check_id = id("CK" + date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2) + "-" +
                             c.grid->grid_id.substr(base_id.size() + 1));
            const double hour = std::clamp(habitual_hour + r.normal_clamped(3) * 0.3, 7.0, 10.5);
            const int64_t t = day * kDay + static_cast<int64_t>(hour * 3600);
            ck.time = iso_date_time(t);
            ck.when = t;

            ck.kind = check_kinds()[r.weighted(kind_weights)];
            if (ck.kind == "newcomer" || ck.kind == "returnee")
                ck.people = 1 + static_cast<int>(r.weighted(people_weights));
            if (ck.kind == "newcomer") ck.note = r.pick(kNewcomerNotes);
            if (ck.kind == "returnee") ck.note = r.pick(kReturneeNotes);
            if (ck.kind == "hazard") ck.note = r.pick(kHazardNotes);
            if (ck.kind == "dispute") ck.note = r.pick(kDisputeNotes);
            if (ck.kind == "other") ck.note = r.pick(kOtherNotes);
            if (ck.kind == "routine" && r.chance(0.02)) ck.note = r.pick(kRoutineNotes);

            // Where the phone was: at one of the group's houses, or (rarely) outside the cell.
            const Vec2 home = c.homes[r.integer(0, static_cast<int>(c.homes.size()) - 1)];
            bool placed = false;
            if (r.chance(0.007)) {
                for (int tries = 0; tries < 50; ++tries) {
                    // A neighbour's house in the next group, or the phone in town or at work.
                    Vec2 p;
                    if (r.chance(0.6)) {
                        const Vec2 other = all_homes[r.integer(0, static_cast<int>(all_homes.size()) - 1)];
                        if (distance(other, home) > 500) continue;
                        p = jitter(other, 8);
                    } else {
                        p = home + rotated(Vec2{0, 1}, r.uniform(0, 360)) * r.uniform(600, 3000);
                    }
                    if (!inside(c.grid->shape, p)) {
                        ck.pos = p, placed = true;
                        break;
                    }
                }
            }
            if (!placed) {
                ck.pos = home;  // households stand inside their cell
                for (int tries = 0; tries < 20; ++tries)
                    if (const Vec2 p = jitter(home, 7); inside(c.grid->shape, p)) {
                        ck.pos = p;
                        break;
                    }
            }
            checks.push_back(std::move(ck));
        }
    }
    // As the reporting app exports them: in time order.
    std::stable_sort(checks.begin(), checks.end(), [](const Check& a, const Check& b) { return a.time < b.time; });
    out_.checks = std::move(checks);
}

}  // namespace gw::demo_detail
