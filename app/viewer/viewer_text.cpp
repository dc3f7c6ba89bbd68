// The viewer's string table (see viewer_text.h).
#include "app/viewer/viewer_text.h"

namespace gw::app {
namespace {

struct Entry {
    const char* zh;
    const char* en;
};
constexpr Entry kStrings[] = {
#define GW_UI_ENTRY(id, zh, en) {zh, en},
    GW_UI_STRINGS(GW_UI_ENTRY)
#undef GW_UI_ENTRY
};

}  // namespace

const char* tr(Ui id, Lang lang) {
    const Entry& e = kStrings[int(id)];
    return lang == Lang::Zh ? e.zh : e.en;
}

std::string all_ui_text() {
    std::string s;
    for (const auto& e : kStrings) s += e.zh;
    s += "中文English米千°′″北东南西→—…";
    return s;
}

}  // namespace gw::app
