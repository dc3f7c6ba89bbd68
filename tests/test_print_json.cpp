// print_json_items (app/cli/cli_common.h) writes a long top-level array item by item: its text must
// be print_json's on the whole document, byte for byte, whatever the items and their neighbours hold.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli/cli_common.h"

namespace {

std::string printed(const std::function<void()>& print) {
    testing::internal::CaptureStdout();
    print();
    std::fflush(stdout);
    return testing::internal::GetCapturedStdout();
}

// Items with what the writer must carry through: nested objects and arrays, an empty object and
// array, nulls, doubles, escapes (quotes, backslashes, control characters, a newline), CJK text,
// and a key "cells" one level down that is not the array's.
std::vector<nlohmann::json> items() {
    return {
        {{"grid_id", "C000-DPZ-G01-01"},
         {"kinds", {{"routine", 4}, {"newcomer", 0}}},
         {"last_check", nullptr}},
        {{"name", "下寨1号联防组 \"东\"\\ 段\n\t\x01"},
         {"empty", nlohmann::json::object()},
         {"list", nlohmann::json::array()},
         {"share", 0.8870000000000001},
         {"cells", {1, 2, {{"cells", "x"}}}}},
        {{"a", true}, {"b", -3}, {"c", {{"d", {{"e", {1.5, nullptr, "f"}}}}}}},
        nlohmann::json::object(),
    };
}

}  // namespace

TEST(PrintJsonItems, WritesWhatPrintJsonWritesOfTheWholeDocument) {
    gw::Dataset ds;  // what reading left out: none
    const std::vector<nlohmann::json> all = items();
    for (size_t n : {size_t(0), size_t(1), size_t(2), all.size()}) {
        // Keys before and after "cells" in dump's sorted order, one holding an array of its own.
        nlohmann::json head{{"date", "2026-10-31"},
                            {"aaa", {{"cells", nlohmann::json::array()}}},
                            {"zeta", {1, 2}},
                            {"levels", {{{"level", 4}}}}};
        nlohmann::json whole = head;
        whole["cells"] = nlohmann::json::array();
        for (size_t i = 0; i < n; ++i) whole["cells"].push_back(all[i]);
        const std::string want = printed([&] { gw::app::print_json(whole, ds); });
        const std::string got = printed([&] {
            gw::app::print_json_items(
                head, "cells", n, [&](size_t i) { return all[i]; }, ds);
        });
        EXPECT_EQ(got, want) << n << " items";
        EXPECT_EQ(nlohmann::json::parse(got), nlohmann::json::parse(want));
    }
}

TEST(PrintJsonItems, AnItemThatCannotBeWrittenStopsTheCommand) {
    gw::Dataset ds;
    // Text that is not UTF-8 is refused by the writer, as print_json refuses it: an exception, and
    // nothing on stdout (not a document cut short after the items before it).
    const auto some_bad = [](size_t i) {
        return i < 2 ? nlohmann::json{{"name", "ok"}} : nlohmann::json{{"name", std::string("\xff\xfe")}};
    };
    testing::internal::CaptureStdout();
    EXPECT_ANY_THROW(gw::app::print_json_items(nlohmann::json::object(), "cells", 3, some_bad, ds));
    std::fflush(stdout);
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}
