// The 读取提示 / Reading notes window: what reading the dataset left out, read as nothing or
// repaired, the lines the command line prints on stderr (geo/io/reading_notes.h). A viewer user
// never sees stderr: an incident without a readable time was missing from the heat map without a word.
#include <imgui.h>

#include <set>

#include "app/viewer/viewer.h"
#include "geo/core/text.h"
#include "geo/io/reading_notes.h"

namespace gw::app {

void refresh_notes(ViewerState& st) {
    const std::set<std::string> before(st.notes.begin(), st.notes.end());
    st.notes.clear();
    // A PG: source's password is not shown (as the command line's warn() leaves it out).
    for (const auto& line : reading_notes(st.ds)) st.notes.push_back(without_secrets(line));
    std::string text;
    for (const auto& line : st.notes) text += line + '\n';
    if (st.fonts.ui)
        st.need_glyphs(text);
    else
        st.glyph_text += text;  // the fonts are made next (load_viewer_state), with it
    // Opens by itself for a note not there before (the daily layers read, another dataset opened), not
    // again for the same ones once the user closed it.
    for (const auto& line : st.notes)
        if (!before.count(line)) st.show_notes = true;
    if (st.notes.empty()) st.show_notes = false;
}

void panel_notes(ViewerState& st) {
    if (!st.show_notes || st.notes.empty()) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Size.x * 0.5f - 300, vp->Size.y - 230), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(600, 200), ImGuiCond_FirstUseEver);
    const std::string title = std::string(st.t(Ui::NotesPanel)) + " (" + std::to_string(st.notes.size()) + ")###notes";
    if (!ImGui::Begin(title.c_str(), &st.show_notes)) {
        ImGui::End();
        return;
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", st.t(Ui::NotesHint));
    ImGui::PopStyleColor();
    ImGui::Separator();
    int drawn = 0;
    for (const auto& line : st.notes) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", line.c_str());
        ++drawn;
    }
    st.notes_drawn = drawn;
    ImGui::End();
}

}  // namespace gw::app
