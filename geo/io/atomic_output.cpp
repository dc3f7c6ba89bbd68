// Outputs switched into place whole (see atomic_output.h).
#include "geo/io/atomic_output.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <cpl_conv.h>
#include <gdal_priv.h>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"

namespace fs = std::filesystem;

namespace gw {
namespace {

constexpr const char* kTmp = ".gw-tmp-";
constexpr const char* kJournal = ".gw-commit-";
constexpr const char* kJournalHeader = "gridwatch file-set commit 1";

std::atomic<int> g_counter{0};

std::string errno_text() { return std::strerror(errno); }

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

/** fsync of a file or folder; "" or what failed. */
std::string sync_path(const fs::path& p, bool dir) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0) return p.string() + ": cannot be opened to sync: " + errno_text();
    std::string err;
    if (::fsync(fd) != 0 && errno != EINVAL) err = p.string() + ": fsync failed: " + errno_text();
    if (::close(fd) != 0 && err.empty()) err = p.string() + ": close failed: " + errno_text();
    return err;
}

/** Every file and folder under `root` synced, deepest first; the errors of every step. */
void sync_tree(const fs::path& root, std::vector<std::string>& errors) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(root, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        if (it->is_symlink(ec)) continue;
        if (it->is_directory(ec))
            sync_tree(it->path(), errors);
        else if (auto e = sync_path(it->path(), false); !e.empty())
            errors.push_back(e);
    }
    if (ec) errors.push_back(root.string() + ": cannot be listed: " + ec.message());
    if (auto e = sync_path(root, true); !e.empty()) errors.push_back(e);
}

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
    return s;
}

/** A process id that no longer runs (kill(pid, 0) answers ESRCH). */
bool pid_dead(long pid) { return pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH; }

/** A journal to finish: its writer is dead, or is this process (whose commits are over when
 *  another output starts: a commit that failed half-way in the viewer is finished by its retry). */
bool journal_orphaned(long pid) { return pid == long(getpid()) || pid_dead(pid); }

/** The pid in ".gw-tmp-PID-N-…", or -1. */
long temp_pid(const std::string& name) {
    if (!starts_with(name, kTmp)) return -1;
    const char* p = name.c_str() + std::strlen(kTmp);
    char* end = nullptr;
    const long pid = std::strtol(p, &end, 10);
    return end != p && *end == '-' ? pid : -1;
}

struct Journal {
    std::string prefix;
    std::vector<std::string> primaries, removes, members;  // final names
};

std::string journal_text(const Journal& j) {
    std::string s = std::string(kJournalHeader) + "\n" + j.prefix + "\n";
    for (const auto& n : j.primaries) s += "P " + n + "\n";
    for (const auto& n : j.removes) s += "R " + n + "\n";
    for (const auto& n : j.members) s += "N " + n + "\n";
    return s + "end\n";
}

/** Parses a journal; false when it is not whole (a kill while writing it cannot leave one, but a
 *  foreign file might sit there). */
bool parse_journal(const fs::path& file, Journal& j) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    if (!std::getline(in, line) || line != kJournalHeader) return false;
    if (!std::getline(in, j.prefix) || !starts_with(j.prefix, kTmp)) return false;
    while (std::getline(in, line)) {
        if (line == "end") return true;
        if (line.size() < 3 || line[1] != ' ' || line.find('/') != std::string::npos) return false;
        const std::string name = line.substr(2);
        if (name.empty() || name == "." || name == "..") return false;
        (line[0] == 'P' ? j.primaries : line[0] == 'R' ? j.removes : j.members).push_back(name);
    }
    return false;
}

/**
 * Carries out a journal: old primaries and replaced names removed, new secondaries moved in,
 * new primaries last. Each step checks what is still to do, so running it again after a kill
 * anywhere in it finishes the same commit. Throws gw::Error at the first rename that fails
 * (the journal stays for the next run).
 */
void apply_journal(const fs::path& dir, const fs::path& journal_file, const Journal& j) {
    std::error_code ec;
    const std::set<std::string> primary(j.primaries.begin(), j.primaries.end());
    auto pending = [&](const std::string& name) { return fs::exists(dir / (j.prefix + name), ec); };
    for (const auto& name : j.primaries)
        if (pending(name)) fs::remove(dir / name, ec);
    for (const auto& name : j.removes)
        if (std::find(j.members.begin(), j.members.end(), name) == j.members.end()) fs::remove(dir / name, ec);
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& name : j.members) {
            if (bool(primary.count(name)) != (pass == 1) || !pending(name)) continue;
            fs::rename(dir / (j.prefix + name), dir / name, ec);
            if (ec)
                throw Error("cannot be moved into place: " + ec.message(), {(dir / name).string()},
                            "check the folder is writable; the next write of it finishes the move");
        }
    std::vector<std::string> errors;
    if (auto e = sync_path(dir, true); !e.empty()) errors.push_back(e);
    if (!fs::remove(journal_file, ec) && ec) errors.push_back(journal_file.string() + ": " + ec.message());
    if (auto e = sync_path(dir, true); !e.empty()) errors.push_back(e);
    if (!errors.empty()) throw Error("the output is in place but not synced: " + join(errors), {dir.string()});
}

fs::path parent_of(const fs::path& target) {
    fs::path parent = target.parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

/**
 * Finishes the interrupted commits in `dir` whose journal `wanted` accepts (those of a dead
 * process, or of this one); true when one was finished. Throws what apply_journal throws.
 */
bool finish_journals(const fs::path& dir, const std::function<bool(const Journal&)>& wanted) {
    std::error_code ec;
    std::vector<fs::path> journals;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
        if (starts_with(it->path().filename().string(), kJournal)) journals.push_back(it->path());
    bool finished = false;
    for (const auto& jf : journals) {
        Journal j;
        if (!parse_journal(jf, j) || !journal_orphaned(temp_pid(j.prefix)) || !wanted(j)) continue;
        apply_journal(dir, jf, j);
        finished = true;
    }
    return finished;
}

/** Finishes every interrupted commit in `dir`, then removes temporaries of dead processes. */
void tidy_folder(const fs::path& dir) {
    finish_journals(dir, [](const Journal&) { return true; });
    std::error_code ec;
    std::vector<fs::path> stale;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
        if (pid_dead(temp_pid(it->path().filename().string()))) stale.push_back(it->path());
    for (const auto& p : stale)
        if (fs::exists(p, ec)) fs::remove_all(p, ec);  // a journal may have moved it away meanwhile
}

constexpr const char* kRecordHeader = "gridwatch output files 1";

/** The file names a folder's record lists (none when it has no record, or a foreign file there). */
std::set<std::string> read_record(const fs::path& folder) {
    std::ifstream in(folder / kOutputRecord, std::ios::binary);
    std::set<std::string> names;
    std::string line;
    if (!std::getline(in, line) || line != kRecordHeader) return names;
    while (std::getline(in, line))
        if (!line.empty() && line != "." && line != ".." && line.find('/') == std::string::npos)
            names.insert(line);
    return names;
}

/** Writes the record of the files in `folder` (its top level) into it; "" or what failed. */
std::string write_record(const fs::path& folder) {
    std::error_code ec;
    std::string text = std::string(kRecordHeader) + "\n";
    std::vector<std::string> names;
    for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
        names.push_back(it->path().filename().string());
    if (ec) return folder.string() + ": cannot be listed: " + ec.message();
    std::sort(names.begin(), names.end());
    for (const auto& n : names)
        if (n.find('\n') == std::string::npos) text += n + "\n";
    std::ofstream out(folder / kOutputRecord, std::ios::binary);
    if (!(out << text) || !out.flush()) return (folder / kOutputRecord).string() + ": cannot be written";
    return {};
}

void link_missing(const fs::path& from, const fs::path& to, const std::function<bool(const std::string&)>& keep,
                  bool top, std::vector<std::string>& errors) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(from, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const fs::path dest = to / name;
        if (fs::exists(fs::symlink_status(dest, ec)) || (top && keep && !keep(name))) {
            // A file of the output replaces its old namesake; a folder of the user's there is no
            // old output, and is not thrown away with the old folder.
            if (top && it->is_directory(ec) && !it->is_symlink(ec))
                errors.push_back(it->path().string() + ": is a folder where the output writes a file (move it away)");
            continue;
        }
        if (it->is_symlink(ec)) {
            fs::copy_symlink(it->path(), dest, ec);
        } else if (it->is_directory(ec)) {
            fs::create_directory(dest, ec);
            if (!ec) link_missing(it->path(), dest, keep, false, errors);
        } else {
            fs::create_hard_link(it->path(), dest, ec);
            if (ec) fs::copy_file(it->path(), dest, ec);
        }
        if (ec) errors.push_back(it->path().string() + ": cannot be kept: " + ec.message());
        ec.clear();
    }
    if (ec) errors.push_back(from.string() + ": cannot be listed: " + ec.message());
}

}  // namespace

AtomicOutput::AtomicOutput(fs::path target, Kind kind) : target_(std::move(target)), kind_(kind) {
    if (target_.empty()) throw Error("no output path given", {"", "", "", "--out"}, "give --out PATH");
    if (!target_.has_filename()) target_ = target_.parent_path();  // "out/" names the folder out
    parent_ = parent_of(target_);
    std::error_code ec;
    if (!fs::is_directory(parent_, ec))
        throw Error("the folder " + parent_.string() + " does not exist", {target_.string()}, "create it first");
    tidy_folder(parent_);
    prefix_ = std::string(kTmp) + std::to_string(getpid()) + "-" + std::to_string(g_counter++) + "-";
    temp_ = parent_ / (prefix_ + target_.filename().string());
    if (kind_ == Kind::Folder) {
        if (!fs::create_directory(temp_, ec))
            throw Error("cannot create a folder beside it: " + (ec ? ec.message() : "it exists"), {target_.string()},
                        "check the folder is writable");
    } else {
        primaries_.push_back(target_.filename().string());
    }
}

AtomicOutput::~AtomicOutput() { discard(); }

fs::path AtomicOutput::temp_for(const fs::path& final_path) {
    const std::string name = final_path.filename().string();
    if (std::find(primaries_.begin(), primaries_.end(), name) == primaries_.end()) primaries_.push_back(name);
    return parent_ / (prefix_ + name);
}

void AtomicOutput::replaces(const std::vector<std::string>& file_names) {
    replaces_.insert(replaces_.end(), file_names.begin(), file_names.end());
}

void AtomicOutput::commit() {
    if (committed_) return;
    if (kind_ == Kind::Folder)
        commit_folder();
    else
        commit_file_set();
    committed_ = true;
}

void AtomicOutput::commit_file_set() {
    std::error_code ec;
    Journal j;
    j.prefix = prefix_;
    j.primaries = primaries_;
    std::vector<std::string> errors;
    for (auto it = fs::directory_iterator(parent_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!starts_with(name, prefix_)) continue;
        j.members.push_back(name.substr(prefix_.size()));
        if (auto e = sync_path(it->path(), false); !e.empty()) errors.push_back(e);
    }
    if (ec) errors.push_back(parent_.string() + ": cannot be listed: " + ec.message());
    if (!errors.empty()) throw Error("cannot be synced to disk: " + join(errors), {target_.string()}, "check free space");
    if (j.members.empty()) throw Error("was not written (no file to move into place)", {target_.string()});
    std::sort(j.members.begin(), j.members.end());
    for (const auto& name : replaces_)
        if (!std::binary_search(j.members.begin(), j.members.end(), name) && fs::exists(parent_ / name, ec))
            j.removes.push_back(name);

    if (j.members.size() == 1 && j.removes.empty()) {
        // One file: the rename is the commit.
        fs::rename(temp_for(j.members[0]), parent_ / j.members[0], ec);
        if (ec)
            throw Error("cannot be moved into place: " + ec.message(), {(parent_ / j.members[0]).string()},
                        "check the folder is writable");
        if (auto e = sync_path(parent_, true); !e.empty())
            throw Error("is in place but not synced: " + e, {target_.string()});
        return;
    }
    // A set: the journal, renamed into place, is the commit point.
    const fs::path journal = parent_ / (kJournal + target_.filename().string());
    const fs::path journal_tmp = parent_ / (prefix_ + "journal" + kJournal + target_.filename().string());
    {
        const std::string text = journal_text(j);
        FILE* f = std::fopen(journal_tmp.c_str(), "wb");
        bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                  ::fsync(fileno(f)) == 0;
        const std::string why = errno_text();
        if (f && std::fclose(f) != 0) ok = false;
        if (!ok) {
            fs::remove(journal_tmp, ec);
            throw Error("cannot write the commit journal: " + why, {journal.string()}, "check free space");
        }
    }
    fs::rename(journal_tmp, journal, ec);
    if (ec) {
        fs::remove(journal_tmp, ec);
        throw Error("cannot write the commit journal: " + ec.message(), {journal.string()}, "check the folder is writable");
    }
    // From here the journal owns the temporaries: a failed rename leaves them for the next run
    // to finish the commit with, instead of a set with its old primary file gone.
    committed_ = true;
    if (auto e = sync_path(parent_, true); !e.empty()) throw Error("commit journal not synced: " + e, {journal.string()});
    apply_journal(parent_, journal, j);
}

void AtomicOutput::commit_folder() {
    std::vector<std::string> errors;
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(target_, ec));
    if (exists && !fs::is_directory(target_, ec))
        throw Error("is a file, and a folder is to be written there", {target_.string()},
                    "give a folder path, or remove the file");
    if (replace_earlier_) {
        // What this output wrote, before the old folder's files are linked in beside it.
        if (auto e = write_record(temp_); !e.empty()) errors.push_back(e);
    }
    if (exists && replace_earlier_) {
        // The old output's files (its record's) go with it; the user's stay as keep_old_ says.
        const std::set<std::string> earlier = read_record(target_);
        link_missing(
            target_, temp_,
            [&](const std::string& name) { return !earlier.count(name) && (!keep_old_ || keep_old_(name)); },
            true, errors);
    } else if (exists) {
        link_missing(target_, temp_, keep_old_, true, errors);
    }
    sync_tree(temp_, errors);
    if (!errors.empty()) throw Error("cannot be prepared: " + join(errors), {target_.string()}, "check free space");
    if (!exists) {
        fs::rename(temp_, target_, ec);
        if (ec) throw Error("cannot be moved into place: " + ec.message(), {target_.string()}, "check the folder is writable");
    } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
        if (errno != EINVAL && errno != ENOSYS)
            throw Error("cannot be switched into place: " + errno_text(), {target_.string()},
                        "check the folder is writable");
        // A file system without RENAME_EXCHANGE: two renames, with a moment without the folder.
        const fs::path old = parent_ / (prefix_ + "old-" + target_.filename().string());
        fs::rename(target_, old, ec);
        if (!ec) fs::rename(temp_, target_, ec);
        if (ec) throw Error("cannot be moved into place: " + ec.message(), {target_.string()}, "check the folder is writable");
        fs::rename(old, temp_, ec);
    }
    committed_ = true;  // from here the temporary is the old folder
    if (auto e = sync_path(parent_, true); !e.empty()) errors.push_back(e);
    fs::remove_all(temp_, ec);
    if (ec) errors.push_back(temp_.string() + ": the old folder cannot be removed: " + ec.message());
    if (!errors.empty()) throw Error("is in place, but: " + join(errors), {target_.string()});
}

void AtomicOutput::discard() noexcept {
    if (committed_ || prefix_.empty()) return;
    std::error_code ec;
    if (kind_ == Kind::Folder) {
        fs::remove_all(temp_, ec);
        return;
    }
    std::vector<fs::path> mine;
    for (auto it = fs::directory_iterator(parent_, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
        if (starts_with(it->path().filename().string(), prefix_)) mine.push_back(it->path());
    for (const auto& p : mine) fs::remove_all(p, ec);
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
    AtomicOutput out(path);
    {
        FILE* f = std::fopen(out.temp().c_str(), "wb");
        if (!f) throw Error("cannot be written: " + errno_text(), {path.string()}, "check the folder is writable");
        const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0;
        const std::string why = errno_text();
        if (std::fclose(f) != 0 || !ok)
            throw Error("cannot be written: " + why, {path.string()}, "check free space");
    }
    out.commit();
}

bool recover_output(const fs::path& target) {
    const fs::path dir = parent_of(target);
    const fs::path jf = dir / (kJournal + target.filename().string());
    std::error_code ec;
    if (!fs::exists(jf, ec)) return false;
    Journal j;
    if (!parse_journal(jf, j) || !journal_orphaned(temp_pid(j.prefix))) return false;
    apply_journal(dir, jf, j);
    return true;
}

namespace {
/**
 * A GeoPackage a kill left inside a transaction (gridwatch import, a camera save) keeps SQLite's hot
 * rollback journal beside it. SQLite rolls it back at the next read, but only on a connection that
 * may write: a read-only open fails ("attempt to write a readonly database"). So a reader opens it
 * once for writing first; the journal puts back the old pages and the file is as before the kill.
 */
bool roll_back_sqlite_journal(const fs::path& source) {
    std::error_code ec;
    fs::path journal = source;
    journal += "-journal";
    if (fs::file_size(journal, ec) == 0 || ec) return false;
    gdal_setup();
    // Another import may be writing (its journal is not hot then): wait for its lock, never fail on it.
    const WaitForOtherWriters wait;
    GDALDatasetUniquePtr gds(GDALDataset::Open(source.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!gds)
        throw Error("holds a transaction a kill cut short, and it cannot be rolled back here: " +
                        std::string(CPLGetLastErrorMsg()),
                    {source.string()}, "make the file and its folder writable and run again");
    return true;
}
}  // namespace

bool finish_interrupted_outputs(const fs::path& source) {
    std::error_code ec;
    const bool folder = fs::is_directory(source, ec);
    if (!folder && roll_back_sqlite_journal(source)) return true;
    const std::string name = source.filename().string();
    auto names_source = [&](const Journal& j) {
        auto has = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), name) != v.end(); };
        return folder || has(j.members) || has(j.primaries);
    };
    try {
        return finish_journals(folder ? source : parent_of(source), names_source);
    } catch (const Error& e) {
        throw Error(std::string("a write that was cut short (killed) is not finished and cannot be finished here: ") +
                        e.problem(),
                    {source.string()}, "make the folder writable and run again, or write the output again");
    }
}

std::vector<std::string> shapefile_set(const std::string& stem) {
    std::vector<std::string> out;
    for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml", ".qpj"})
        out.push_back(stem + ext);
    return out;
}

bool output_would_overwrite(const fs::path& out, const fs::path& input) {
    std::error_code ec;
    if (out.empty() || input.empty() || !fs::exists(input, ec)) return false;
    const fs::path o = fs::weakly_canonical(fs::absolute(out), ec);
    const fs::path i = fs::weakly_canonical(fs::absolute(input), ec);
    auto same = [&](const fs::path& a, const fs::path& b) {
        std::error_code e;
        if (fs::exists(a, e) && fs::exists(b, e)) return fs::equivalent(a, b, e);
        return fs::weakly_canonical(a, e) == fs::weakly_canonical(b, e);
    };
    auto inside = [](const fs::path& inner, const fs::path& outer) {  // outer is inner or an ancestor
        std::string in = inner.string(), out = outer.string();
        while (in.size() > 1 && in.back() == '/') in.pop_back();
        while (out.size() > 1 && out.back() == '/') out.pop_back();
        return in == out || starts_with(in, out == "/" ? out : out + "/");
    };
    if (same(o, i) || inside(i, o)) return true;  // the input itself, or a folder that holds it
    // The files writing `out` replaces: a shapefile's whole set, else the file alone.
    std::vector<fs::path> written{o};
    std::string ext = o.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".shp")
        for (const auto& n : shapefile_set(o.stem().string())) written.push_back(o.parent_path() / n);
    for (const auto& w : written) {
        if (fs::is_directory(i, ec)) {
            // Any file of the dataset folder, there or new: the folder is read whole, so a new file
            // in it is a new layer of the dataset (a plan's Cameras.shp, counted next time as cameras).
            if (same(w.parent_path(), i)) return true;
        } else if (same(w, i)) {
            return true;
        }
    }
    // The input is a shapefile: any file of its set.
    std::string in_ext = i.extension().string();
    std::transform(in_ext.begin(), in_ext.end(), in_ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (in_ext == ".shp")
        for (const auto& n : shapefile_set(i.stem().string()))
            for (const auto& w : written)
                if (same(w, i.parent_path() / n)) return true;
    return false;
}

}  // namespace gw
