#pragma once
/**
 * Incident times (SPEC §3): read once, when the layer is read, from ISO-8601 text or an OGR
 * Date/DateTime field, into seconds on the community's civil clock, China Standard Time (UTC+8):
 * a time written without a zone is taken as on that clock (as offices write them, and as
 * --from/--to are given); one written with a zone ("Z" from a phone app, "+08:00") is moved onto
 * it. And the time windows analyses count incidents in, all built here.
 */
#include <cstdint>
#include <optional>
#include <string>

namespace gw {

/** The community's clock: China Standard Time, UTC+8 (no daylight saving since 1991). */
constexpr int64_t kCommunityUtcOffset = 8 * 3600;

/** A civil time read on a clock `utc_offset` seconds ahead of UTC, on the community's clock. */
int64_t to_community_clock(int64_t civil, int64_t utc_offset);

/** Seconds from 1970-01-01T00:00:00 to a civil date and time (proleptic Gregorian calendar). */
int64_t civil_seconds(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

/** Days in a month of a year (February of a leap year: 29). */
int days_in_month(int year, int month);

/** A span of time, [begin, end) in civil seconds. */
struct TimeSpan {
    int64_t begin = 0, end = 0;
};

/**
 * The span ISO-8601 text names: "2024" a year, "2024-03" a month, "2024-03-05" a day,
 * "2024-03-05T14:30" a minute, "2024-03-05T14:30:15[.5]" a second; a space may stand for the T,
 * and "Z" or "+08:00" may follow (the time is then moved onto the community's clock). nullopt for anything else, or a date that does not exist
 * ("2026-13-45", "2025-02-29").
 */
std::optional<TimeSpan> parse_iso_span(const std::string& text);

/** An incident's time: ISO-8601 text with at least a whole date (its start), or nullopt. */
std::optional<int64_t> parse_incident_time(const std::string& text);

/**
 * Whether civil time `t` (on the community's clock) falls on a day after tomorrow there, today
 * being this computer's date (`now_utc`, Unix seconds) on that clock: a record dated so is a typo
 * or a phone's wrong clock, and a window ending on the latest record moves there. Tomorrow is
 * allowed for a clock a little ahead.
 */
bool after_this_computers_date(int64_t t, int64_t now_utc);
bool after_this_computers_date(int64_t t);  // now

/** "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" and "YYYY-MM" of civil seconds. */
std::string iso_date(int64_t t);
std::string iso_date_time(int64_t t);
std::string iso_month(int64_t t);

/** Where incidents are counted: [from, until), either side open when unset. */
struct TimeWindow {
    std::optional<int64_t> from, until;

    bool bounded() const { return from.has_value() || until.has_value(); }
    /** An incident without a readable time is inside no bounded window, and inside an open one. */
    bool contains(const std::optional<int64_t>& t) const {
        if (!bounded()) return true;
        if (!t) return false;
        return (!from || *t >= *from) && (!until || *t < *until);
    }
};

/**
 * From the start of what `from` names to the end of what `to` names (both ISO-8601 as in
 * parse_iso_span, "" = open): `--to 2024-03` reaches the end of March. Throws gw::Error naming
 * `from_option` / `to_option` when a bound is not ISO-8601 or `to` ends before `from` starts.
 */
TimeWindow window_between(const std::string& from, const std::string& to, const std::string& from_option = "--from",
                          const std::string& to_option = "--to");

/**
 * The `months` months that end with the day of `t`: after the same day `months` months earlier,
 * up to the end of t's day. The last day of a month goes back to the last day of the earlier
 * month, so that 12 months ending 2024-02-29 (or any month's end) are 12 whole calendar months.
 */
TimeWindow months_ending(int64_t t, int months);

}  // namespace gw
