// Incidents 2017-01 … 2026-10, each type where it happens.
#include "geo/core/times.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {

/**
 * A few hundred incidents from 2017-01-01 to 2026-10-31, each type where it happens: traffic on
 * the roads and most of all near the G320 junction, theft around houses (one hamlet worse) and
 * in the yards, fraud at homes (more in recent years), disputes at homes (many at 罗家大坡),
 * fires at houses, yards and in the fields. 38 disputes, all settled in the villager group or
 * the community.
 */
void CommunityBuilder::make_incidents() {
    Rng r(stream(kStreamIncidents));
    constexpr int64_t kDay = 86400;
    const int64_t day0 = civil_seconds(2017, 1, 1) / kDay,
                  days = civil_seconds(2026, 10, 31) / kDay - day0 + 1;
    const std::vector<double> day_hours = {0, 0, 0, 0, 0, 1, 2, 3, 5, 6, 6, 6,
                                           5, 5, 6, 6, 6, 5, 5, 5, 4, 3, 1, 1};
    const std::vector<double> traffic_hours = {1, 1, 1, 1, 1, 2, 4, 8, 8, 5, 4, 4,
                                               5, 4, 4, 5, 6, 8, 9, 7, 5, 3, 2, 1};
    const std::vector<double> theft_hours = {5, 5, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1,
                                             1, 1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 5};
    const Vec2 theft_hotspot = houses_[r.integer(0, static_cast<int>(houses_.size()) - 1)].pos;
    auto jitter = [&](Vec2 p, double sigma) { return p + Vec2{r.normal() * sigma, r.normal() * sigma}; };
    auto any_house = [&]() { return houses_[r.integer(0, static_cast<int>(houses_.size()) - 1)]; };
    auto on_road = [&](bool main_only) {
        std::vector<double> w;
        for (const auto& road : roads_)
            w.push_back(main_only && road.road_class != "national" && road.road_class != "county"
                            ? 0
                            : polyline_length(road.line));
        const LineString& l = roads_[r.weighted(w)].line;
        const std::vector<Station> st = stations(l, 5, r.uniform(0, 5));
        const Station& s = st[r.integer(0, static_cast<int>(st.size()) - 1)];
        return s.p + left_of(s.dir) * r.uniform(-4, 4);
    };
    auto in_yard = [&]() {
        const Parcel& p = parcels_[r.integer(0, static_cast<int>(parcels_.size()) - 1)];
        const double x = r.uniform(p.x0 + 5, p.x1 - 5);
        return Vec2{x, g320_y(x) + kParcelSetback + r.uniform(5, p.depth - 5)};
    };
    const Box box = l1_area_->box();
    auto anywhere = [&]() { return Vec2{r.uniform(box.xmin, box.xmax), r.uniform(box.ymin, box.ymax)}; };

    struct Plan {
        const char* type;
        int count;
    };
    const Plan plans[] = {{"traffic", 72}, {"theft", 64}, {"fraud", 56},
                          {"dispute", 38}, {"fire", 17},  {"other", 45}};
    std::vector<Incident> incidents;
    for (const Plan& plan : plans) {
        const std::string type = plan.type;
        for (int k = 0; k < plan.count; ++k) {
            Vec2 p;
            for (int tries = 0;; ++tries) {
                const double u = r.uniform();
                if (type == "traffic")
                    p = u < 0.35 ? exit_junction_ + Vec2{r.normal() * 35, r.normal() * 8} : on_road(u < 0.65);
                else if (type == "theft")
                    p = u < 0.3   ? jitter(theft_hotspot, 60)
                        : u < 0.7 ? jitter(any_house().pos, 15)
                                  : in_yard();
                else if (type == "fraud")
                    p = jitter(any_house().pos, 5);
                else if (type == "dispute")
                    p = u < 0.4
                            ? jitter(houses_[r.integer(0, kRelocatedHouseholds - 1) + first_relocated()].pos,
                                     10)
                            : jitter(any_house().pos, 20);
                else if (type == "fire")
                    p = u < 0.5 ? jitter(any_house().pos, 20) : u < 0.7 ? in_yard() : anywhere();
                else
                    p = u < 0.5 ? on_road(false) : jitter(any_house().pos, 30);
                if (l1_area_->contains(p) || tries > 50) break;
            }
            Incident in;
            in.type = type, in.pos = p;
            double frac = r.uniform();
            if (type == "fraud") frac = std::sqrt(frac);  // telecom fraud grew year by year
            const int64_t day = day0 + std::min<int64_t>(days - 1, static_cast<int64_t>(frac * days));
            const auto& hours = type == "traffic" ? traffic_hours : type == "theft" ? theft_hours : day_hours;
            in.time = iso_date(day * kDay) +
                      strf("T%02d:%02d:00", static_cast<int>(r.weighted(hours)), r.integer(0, 59));
            in.when = parse_incident_time(in.time);
            const char* const colors[] = {"green", "blue", "yellow", "red"};
            in.color = colors[r.weighted(type == "dispute" ? std::vector<double>{45, 30, 18, 7}
                                                           : std::vector<double>{55, 25, 14, 6})];
            // SPEC §2: every dispute settled in the villager group or the community, none at the town.
            if (type == "dispute") in.settled_at = r.chance(0.62) ? "group" : "community";
            incidents.push_back(std::move(in));
        }
    }
    std::stable_sort(incidents.begin(), incidents.end(),
                     [](const Incident& a, const Incident& b) { return a.time < b.time; });
    for (size_t k = 0; k < incidents.size(); ++k) incidents[k].inc_id = id(strf("I%04zu", k + 1));
    out_.incidents = std::move(incidents);
}

int CommunityBuilder::first_relocated() const {
    for (size_t k = 0; k < houses_.size(); ++k)
        if (houses_[k].relocated) return static_cast<int>(k);
    return 0;
}

}  // namespace gw::demo_detail
