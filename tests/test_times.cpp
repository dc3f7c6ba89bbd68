// Incident times (geo/core/times.h): ISO-8601 read once into civil seconds, and the windows analyses
// count incidents in. Expected values are counted by hand from the calendar.
#include <gtest/gtest.h>

#include "geo/core/error.h"
#include "geo/core/times.h"

using namespace gw;

TEST(Times, CivilSecondsOfKnownDates) {
    EXPECT_EQ(civil_seconds(1970, 1, 1), 0);
    EXPECT_EQ(civil_seconds(2000, 3, 1), 951868800);  // date -u -d 2000-03-01 +%s
    EXPECT_EQ(civil_seconds(2024, 2, 29, 12, 30, 15), 1709209815);
    EXPECT_EQ(iso_date_time(1709209815), "2024-02-29T12:30:15");
    EXPECT_EQ(iso_date(civil_seconds(1969, 12, 31)), "1969-12-31");
    EXPECT_EQ(days_in_month(2024, 2), 29);
    EXPECT_EQ(days_in_month(2100, 2), 28);
    EXPECT_EQ(days_in_month(2000, 2), 29);
}

TEST(Times, IsoTextReadsAsTheSpanItNames) {
    struct Case {
        const char* text;
        bool ok;
        int64_t begin, length;
    };
    const int64_t day = civil_seconds(2024, 3, 5);
    const Case cases[] = {
        {"2024", true, civil_seconds(2024, 1, 1), 366 * 86400},
        {"2024-03", true, civil_seconds(2024, 3, 1), 31 * 86400},
        {"2024-03-05", true, day, 86400},
        {"2024-03-05T14:30", true, day + 14 * 3600 + 30 * 60, 60},
        {"2024-03-05 14:30:15", true, day + 14 * 3600 + 30 * 60 + 15, 1},
        {"2024-03-05T14:30:15.250+08:00", true, day + 14 * 3600 + 30 * 60 + 15, 1},
        // A zone moves the time onto the community's clock (UTC+8): a phone's UTC "Z" is 8 h later there.
        {"2024-03-05T14:30:15Z", true, day + 22 * 3600 + 30 * 60 + 15, 1},
        {"2024-03-05T20:30-05:00", true, day + 86400 + 9 * 3600 + 30 * 60, 60},
        {"2024-03-05T14:30+0800", true, day + 14 * 3600 + 30 * 60, 60},
        {"yesterday", false, 0, 0},
        {"2026/13/45", false, 0, 0},
        {"2026-13-45", false, 0, 0},
        {"2025-02-29", false, 0, 0},
        {"2024/03/05 10:00:00", false, 0, 0},
        {"2024-03-05T25:00", false, 0, 0},
        {"2024-03-05junk", false, 0, 0},
        {"", false, 0, 0},
    };
    for (const auto& c : cases) {
        const auto span = parse_iso_span(c.text);
        ASSERT_EQ(span.has_value(), c.ok) << c.text;
        if (!c.ok) continue;
        EXPECT_EQ(span->begin, c.begin) << c.text;
        EXPECT_EQ(span->end - span->begin, c.length) << c.text;
    }
    // An incident happened on a day at least: a year or a month alone is no time for one.
    EXPECT_FALSE(parse_incident_time("2024-03"));
    EXPECT_EQ(parse_incident_time("2024-03-05"), day);
}

TEST(Times, WindowBetweenReachesTheEndOfWhatToNames) {
    const TimeWindow w = window_between("2024-01", "2024-03");
    EXPECT_EQ(w.from, civil_seconds(2024, 1, 1));
    EXPECT_EQ(w.until, civil_seconds(2024, 4, 1));
    EXPECT_TRUE(w.contains(civil_seconds(2024, 3, 31, 23, 59, 59)));
    EXPECT_FALSE(w.contains(civil_seconds(2024, 4, 1)));
    EXPECT_FALSE(w.contains(std::nullopt));     // an unreadable time is in no bounded window
    EXPECT_TRUE(TimeWindow{}.contains(std::nullopt));  // but in an open one
    EXPECT_THROW(window_between("yesterday", ""), Error);
    EXPECT_THROW(window_between("2024-03", "2024-01"), Error);
}

TEST(Times, MonthsEndingCountWholeMonthsBack) {
    // 12 months ending 2024-06-15: from 2023-06-16 through 2024-06-15.
    TimeWindow w = months_ending(civil_seconds(2024, 6, 15, 10), 12);
    EXPECT_EQ(w.from, civil_seconds(2023, 6, 16));
    EXPECT_EQ(w.until, civil_seconds(2024, 6, 16));
    // A month's last day: 12 whole calendar months (2023-03-01 through 2024-02-29).
    w = months_ending(civil_seconds(2024, 2, 29), 12);
    EXPECT_EQ(w.from, civil_seconds(2023, 3, 1));
    EXPECT_EQ(w.until, civil_seconds(2024, 3, 1));
    w = months_ending(civil_seconds(2024, 3, 31), 1);
    EXPECT_EQ(w.from, civil_seconds(2024, 3, 1));
    // 3 months ending 2024-05-30: the day is kept where February cannot hold it.
    w = months_ending(civil_seconds(2024, 5, 30), 3);
    EXPECT_EQ(w.from, civil_seconds(2024, 2, 29) + 86400);
}

// A record is "after this computer's date" from the day after tomorrow on the community's clock:
// the same day boundary whether the record's exact time or its day's start is asked (import asks
// the first, checks the second), and UTC now read on UTC+8.
TEST(Times, AfterThisComputersDateIsFromTheDayAfterTomorrowOnTheCommunitysClock) {
    // 2026-12-07 20:00 in Beijing is 12:00 UTC.
    const int64_t now_utc = gw::civil_seconds(2026, 12, 7, 12, 0, 0);
    EXPECT_FALSE(gw::after_this_computers_date(gw::civil_seconds(2026, 12, 8, 23, 59, 59), now_utc));
    EXPECT_FALSE(gw::after_this_computers_date(gw::civil_seconds(2026, 12, 8), now_utc));
    EXPECT_TRUE(gw::after_this_computers_date(gw::civil_seconds(2026, 12, 9), now_utc));
    EXPECT_TRUE(gw::after_this_computers_date(gw::civil_seconds(2026, 12, 9, 20, 0, 0), now_utc));
    // 2026-12-07 23:00 UTC is already the 8th in Beijing: the 9th is tomorrow there.
    EXPECT_FALSE(gw::after_this_computers_date(gw::civil_seconds(2026, 12, 9, 10, 0, 0),
                                               gw::civil_seconds(2026, 12, 7, 23, 0, 0)));
}
