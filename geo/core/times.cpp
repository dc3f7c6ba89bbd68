#include "geo/core/times.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "geo/core/error.h"

namespace gw {
namespace {

constexpr int64_t kDay = 86400;

/** Days from 1970-01-01 to a civil date (H. Hinnant's days_from_civil). */
int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct Civil {
    int year, month, day, hour, minute, second;
};

Civil civil_from_seconds(int64_t t) {
    int64_t z = (t >= 0 ? t : t - (kDay - 1)) / kDay;
    const int64_t secs = t - z * kDay;
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int y = static_cast<int>(yoe + era * 400 + (m <= 2));
    return {y, m, d, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60)};
}

/** Reads exactly `n` digits at `s[i]` into `v`. */
bool digits(const std::string& s, size_t& i, int n, int& v) {
    if (i + n > s.size()) return false;
    v = 0;
    for (int k = 0; k < n; ++k) {
        if (!std::isdigit(static_cast<unsigned char>(s[i + k]))) return false;
        v = v * 10 + (s[i + k] - '0');
    }
    i += n;
    return true;
}

/**
 * "Z", "+08", "+08:00", "+0800" (or nothing) from s[i] to the end: `offset` gets the zone's
 * offset from UTC in seconds (nullopt when none is written). False when it is not a zone.
 */
bool zone_suffix(const std::string& s, size_t i, std::optional<int64_t>& offset) {
    offset.reset();
    if (i == s.size()) return true;
    if (s[i] == 'Z' || s[i] == 'z') {
        offset = 0;
        return i + 1 == s.size();
    }
    if (s[i] != '+' && s[i] != '-') return false;
    const int64_t sign = s[i] == '-' ? -1 : 1;
    ++i;
    int hh = 0, mm = 0;
    if (!digits(s, i, 2, hh) || hh > 14) return false;
    if (i < s.size() && s[i] == ':') ++i;
    if (i < s.size() && (!digits(s, i, 2, mm) || mm > 59)) return false;
    offset = sign * (hh * 3600 + mm * 60);
    return i == s.size();
}

}  // namespace

int64_t to_community_clock(int64_t civil, int64_t utc_offset) { return civil - utc_offset + kCommunityUtcOffset; }

int days_in_month(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) return 29;
    return days[(month - 1) % 12];
}

int64_t civil_seconds(int year, int month, int day, int hour, int minute, int second) {
    return days_from_civil(year, month, day) * kDay + hour * 3600 + minute * 60 + second;
}

std::optional<TimeSpan> parse_iso_span(const std::string& raw) {
    std::string s = raw;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = s.find_first_not_of(" \t");
    if (i == std::string::npos) return std::nullopt;
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, se = 0;
    if (!digits(s, i, 4, y)) return std::nullopt;
    if (i == s.size()) return TimeSpan{civil_seconds(y, 1, 1), civil_seconds(y + 1, 1, 1)};
    if (s[i++] != '-' || !digits(s, i, 2, mo) || mo < 1 || mo > 12) return std::nullopt;
    if (i == s.size())
        return TimeSpan{civil_seconds(y, mo, 1), civil_seconds(y, mo, 1) + days_in_month(y, mo) * kDay};
    if (s[i++] != '-' || !digits(s, i, 2, d) || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
    const int64_t day = civil_seconds(y, mo, d);
    if (i == s.size()) return TimeSpan{day, day + kDay};
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    ++i;
    if (!digits(s, i, 2, h) || h > 23 || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi) || mi > 59)
        return std::nullopt;
    int64_t length = 60;
    if (i < s.size() && s[i] == ':') {
        ++i;
        if (!digits(s, i, 2, se) || se > 60) return std::nullopt;
        if (se == 60) se = 59;  // a leap second is the last second of its minute here
        length = 1;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            const size_t start = i;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
            if (i == start) return std::nullopt;
        }
    }
    std::optional<int64_t> offset;
    if (!zone_suffix(s, i, offset)) return std::nullopt;
    int64_t t = day + h * 3600 + mi * 60 + se;
    if (offset) t = to_community_clock(t, *offset);
    return TimeSpan{t, t + length};
}

std::optional<int64_t> parse_incident_time(const std::string& text) {
    // A year or a month alone is not when something happened: it would sit at the window's start.
    const auto span = parse_iso_span(text);
    if (!span || span->end - span->begin > kDay) return std::nullopt;
    return span->begin;
}

bool after_this_computers_date(int64_t t, int64_t now_utc) {
    const auto day = [](int64_t s) { return s >= 0 ? s / 86400 : -((-s + 86399) / 86400); };
    return day(t) > day(now_utc + kCommunityUtcOffset) + 1;
}

bool after_this_computers_date(int64_t t) { return after_this_computers_date(t, std::time(nullptr)); }

std::string iso_date(int64_t t) {
    const Civil c = civil_from_seconds(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
    return buf;
}

std::string iso_date_time(int64_t t) {
    const Civil c = civil_from_seconds(t);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second);
    return buf;
}

std::string iso_month(int64_t t) { return iso_date(t).substr(0, 7); }

TimeWindow window_between(const std::string& from, const std::string& to, const std::string& from_option,
                          const std::string& to_option) {
    TimeWindow w;
    const char* hint = "give an ISO-8601 date: 2024, 2024-03, 2024-03-05 or 2024-03-05T14:00";
    if (!from.empty()) {
        const auto span = parse_iso_span(from);
        if (!span) throw Error("'" + from + "' is not an ISO-8601 date", {"", "", "", from_option}, hint);
        w.from = span->begin;
    }
    if (!to.empty()) {
        const auto span = parse_iso_span(to);
        if (!span) throw Error("'" + to + "' is not an ISO-8601 date", {"", "", "", to_option}, hint);
        w.until = span->end;
    }
    if (w.from && w.until && *w.until <= *w.from)
        throw Error("'" + to + "' ends before '" + from + "' begins", {"", "", "", to_option},
                    "give " + to_option + " after " + from_option);
    return w;
}

TimeWindow months_ending(int64_t t, int months) {
    const Civil c = civil_from_seconds(t);
    int y = c.year, m = c.month - months;
    while (m <= 0) m += 12, --y;
    const bool month_end = c.day == days_in_month(c.year, c.month);
    const int d = month_end ? days_in_month(y, m) : std::min(c.day, days_in_month(y, m));
    TimeWindow w;
    w.from = civil_seconds(y, m, d) + kDay;
    w.until = civil_seconds(c.year, c.month, c.day) + kDay;
    return w;
}

}  // namespace gw
