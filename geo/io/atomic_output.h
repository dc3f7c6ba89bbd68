#pragma once
/**
 * Outputs that a kill -9 cannot leave half-written (issue 12 §3, issue 13): every writer of
 * gridwatch (export, --out of the analyses, KDE GeoTIFF, rendered images, saved cameras, project
 * and layer preference files) writes through AtomicOutput.
 *
 * What a reader sees at any moment, also after a kill at any instruction:
 *  - a single file: the old file or the whole new one (temporary name, fsync, rename, fsync of
 *    the folder);
 *  - a folder (export to a folder of shapefiles): the old folder or the whole new one. The new
 *    folder is filled beside the old, fsynced, and the two are swapped in one step with Linux's
 *    renameat2(RENAME_EXCHANGE); files of the old folder that the output does not replace are
 *    hard-linked into the new one first, so the user's other files stay. An output that replaces
 *    the earlier one whole (export to a folder) lists what it wrote in the folder's record
 *    (kOutputRecord), and the files the old record lists are not kept: a layer the new export
 *    leaves out does not linger beside it;
 *  - a file set beside other files (out.shp with .shx/.dbf/.prj/.cpg, out.png with .wld and
 *    .png.aux.xml, the files coverage --out writes beside each other): a folder cannot be
 *    swapped here (the set shares its folder with anything else there, often the user's working
 *    folder), so the set is committed through a journal. The journal (".gw-commit-NAME", written
 *    atomically) lists the renames; then the old primary files (.shp, .png — what a reader opens)
 *    are removed first and put back last, so a kill inside the commit leaves a set without its
 *    primary file — unreadable, never an old .shp with a new .dbf — and the next write of the same
 *    target (or recover_output) finishes the renames. A kill before the journal leaves the old
 *    set, after it the new one.
 *
 * Temporary names are ".gw-tmp-PID-N-NAME" beside the target; those of a process that is no
 * longer alive are removed by the next AtomicOutput of a target in the same folder.
 */
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

class AtomicOutput {
public:
    enum class Kind { File, Folder };

    /**
     * Prepares the output of `target`: finishes an interrupted commit of it, removes stale
     * temporaries of dead processes in its folder and, for a folder, creates the fresh folder.
     * Throws gw::Error when the parent folder does not exist or cannot be written.
     */
    explicit AtomicOutput(std::filesystem::path target, Kind kind = Kind::File);
    ~AtomicOutput();  // removes every temporary unless committed
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    const std::filesystem::path& target() const { return target_; }
    /** Where to write: the temporary file (same extension as the target) or the fresh folder. */
    const std::filesystem::path& temp() const { return temp_; }

    /**
     * File kind: the temporary name of another primary file of the set (coverage --out out.shp
     * writes out_gaps.shp too), in the target's folder. Files a driver writes beside a temporary
     * (its .dbf, .wld, .aux.xml) are found by their common prefix and need no call.
     */
    std::filesystem::path temp_for(const std::filesystem::path& final_path);
    /** File kind: the temporary name of a secondary file of the set (a .dbf written by hand). */
    std::filesystem::path temp_of(const std::string& final_name) const { return parent_ / (prefix_ + final_name); }

    /**
     * File kind: names in the target's folder that belong to the set being replaced (old .qix,
     * .wld, .png.aux.xml): removed in the commit when the new set has no file of that name.
     */
    void replaces(const std::vector<std::string>& file_names);

    /** Folder kind: which files of an existing target folder are kept (default: all not written). */
    void keep_old_if(std::function<bool(const std::string& name)> keep) { keep_old_ = std::move(keep); }

    /**
     * Folder kind: this output replaces the earlier gridwatch output in the folder whole. The
     * files the folder's record (kOutputRecord) lists are not kept, whatever keep_old_if says, and
     * the new folder's record lists the files this output wrote. Other files stay as keep_old_if
     * says (the user's own). Without it (a camera save into the folder) the record is kept as it is.
     */
    void replaces_earlier_output() { replace_earlier_ = true; }

    /** Moves the output into place (see the file comment). Throws gw::Error naming the failed step. */
    void commit();

private:
    void commit_file_set();
    void commit_folder();
    void discard() noexcept;

    std::filesystem::path target_, parent_, temp_;
    std::string prefix_;                 // ".gw-tmp-PID-N-"
    Kind kind_;
    std::vector<std::string> primaries_;  // final names of the primary files of a set
    std::vector<std::string> replaces_;
    std::function<bool(const std::string&)> keep_old_;
    bool replace_earlier_ = false;
    bool committed_ = false;
};

/** The file in a folder output (export --out DIR) that lists the files gridwatch wrote there, one a line. */
inline constexpr const char* kOutputRecord = ".gridwatch-files";

/** Writes `bytes` to `path` as one AtomicOutput file. Throws gw::Error. */
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/**
 * Finishes a file-set commit of `target` that a kill interrupted (see the file comment); true
 * when there was one. AtomicOutput calls it; readers may too.
 */
bool recover_output(const std::filesystem::path& target);

/**
 * Before reading `source` (a file or a folder): finishes every file-set commit a kill left
 * half-done that writes `source` or a file inside the folder `source`, so a reader sees the
 * whole new set, never one without its primary file. True when one was finished. Throws
 * gw::Error when a commit cannot be finished (a read-only folder): reading on would see a set in
 * the middle of its switch. A GeoPackage with a rollback journal a kill left (an import or a save
 * cut short) is opened once for writing, which rolls the transaction back: SQLite cannot do that
 * on the read-only connection readers use, and would refuse to read.
 */
bool finish_interrupted_outputs(const std::filesystem::path& source);

/** The names of a shapefile's set for `stem`: .shp .shx .dbf .prj .cpg .qix .sbn .sbx .shp.xml .qpj. */
std::vector<std::string> shapefile_set(const std::string& stem);

/**
 * True when `out` names `input` or a file of its set, a file in `input` when it is a dataset
 * folder (there or new), or (for a folder `out`) a folder that is or contains `input`: writing
 * `out` would destroy the input or change what it holds. Compares existing paths with
 * std::filesystem::equivalent and not-yet-existing ones by weakly_canonical.
 */
bool output_would_overwrite(const std::filesystem::path& out, const std::filesystem::path& input);

}  // namespace gw
