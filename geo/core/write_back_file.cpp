#include "geo/core/write_back_file.h"

#include <cpl_error.h>
#include <cpl_vsi_virtual.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>

#include "geo/core/gdal_setup.h"

namespace gw {

namespace {

constexpr const char* kPrefix = "/vsigwbuf/";
constexpr size_t kWindow = size_t(4) << 20;

/** The disk path behind a GDAL path under kPrefix (what follows it, with its leading '/'); another path as it
 * is. */
std::string disk_of(const char* name) {
    const size_t n = std::strlen(kPrefix);
    return std::strncmp(name, kPrefix, n) == 0 ? std::string(name + n - 1) : std::string(name);
}

/** The first write the disk refused since take_write_back_failure() was last asked. */
std::mutex failure_mutex;
std::string first_failure;

/**
 * A file created for writing, its dirty bytes [start_, start_ + length_) held in memory. Writes
 * inside the window or right after its end stay there; any other goes to the disk first.
 */
class WriteBackHandle final : public VSIVirtualHandle {
public:
    WriteBackHandle(int fd, std::string path, vsi_l_offset size)
        : fd_(fd), path_(std::move(path)), on_disk_(size) {}
    ~WriteBackHandle() override {
        if (fd_ >= 0) Close();
    }

    int Seek(vsi_l_offset offset, int whence) override {
        // SEEK_CUR and SEEK_END take a negative offset as its two's complement, as fseeko does.
        const vsi_l_offset to = whence == SEEK_SET   ? offset
                                : whence == SEEK_CUR ? pos_ + offset
                                                     : size() + offset;
        eof_ = false;  // as GDAL's own handle: even when the seek is refused
        if (to > static_cast<vsi_l_offset>(std::numeric_limits<off_t>::max())) return errno = EINVAL, -1;
        pos_ = to;
        return 0;
    }
    vsi_l_offset Tell() override { return pos_; }

    size_t Write(const void* data, size_t size, size_t count) override {
        const size_t n = size * count;
        if (n == 0) return 0;  // as fwrite
        if (length_ > 0 && pos_ >= start_ && pos_ - start_ <= length_ && n <= kWindow - (pos_ - start_)) {
            std::memcpy(window_.get() + (pos_ - start_), data, n);
            length_ = std::max<size_t>(length_, static_cast<size_t>(pos_ + n - start_));
        } else {
            if (!flush_window()) return 0;
            if (n >= kWindow) {
                if (!write_at(static_cast<const char*>(data), n, pos_)) return 0;
            } else {
                if (!window_) window_.reset(new char[kWindow]);  // not zeroed: only what is written is read
                start_ = pos_, length_ = n;
                std::memcpy(window_.get(), data, n);
            }
        }
        pos_ += n;
        return count;
    }

    size_t Read(void* data, size_t size, size_t count) override {
        if (!flush_window() || size == 0) return 0;
        const size_t n = size * count;
        size_t got = 0;
        while (got < n) {
            const ssize_t r =
                ::pread(fd_, static_cast<char*>(data) + got, n - got, static_cast<off_t>(pos_ + got));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += static_cast<size_t>(r);
        }
        pos_ += got;
        if (got < n) eof_ = true;
        return got / size;
    }

    int Eof() override { return eof_; }
    int Flush() override { return flush_window() ? 0 : -1; }

    int Truncate(vsi_l_offset size) override {
        if (!flush_window()) return -1;
        if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return fail(), -1;
        on_disk_ = size;
        return 0;
    }

    int Close() override {
        if (fd_ < 0) return 0;
        bool ok = flush_window();
        if (::close(fd_) != 0 && ok) ok = false, fail();
        fd_ = -1;
        return ok ? 0 : -1;
    }

private:
    vsi_l_offset size() const { return length_ ? std::max(on_disk_, start_ + length_) : on_disk_; }

    bool write_at(const char* data, size_t n, vsi_l_offset at) {
        for (size_t done = 0; done < n;) {
            const ssize_t w = ::pwrite(fd_, data + done, n - done, static_cast<off_t>(at + done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return fail(), false;
            done += static_cast<size_t>(w);
        }
        on_disk_ = std::max(on_disk_, at + n);
        return true;
    }

    bool flush_window() {
        if (length_ == 0) return true;
        const size_t n = length_;
        length_ = 0;
        return write_at(window_.get(), n, start_);
    }

    void fail() {
        const std::string why = path_ + ": " + std::strerror(errno);
        {
            std::lock_guard lock(failure_mutex);
            if (first_failure.empty()) first_failure = why;
        }
        CPLError(CE_Failure, CPLE_FileIO, "cannot write %s", why.c_str());
    }

    int fd_;
    std::string path_;
    std::unique_ptr<char[]> window_;
    vsi_l_offset on_disk_, start_ = 0, pos_ = 0;
    size_t length_ = 0;
    bool eof_ = false;
};

class WriteBackFilesystem final : public VSIFilesystemHandler {
public:
    VSIVirtualHandle* Open(const char* name, const char* access, bool set_error,
                           CSLConstList options) override {
        const std::string disk = disk_of(name);
        // Created ("w") or updated ("r+", as the shapefile driver reopens what it created).
        const bool create = std::strchr(access, 'w'),
                   update = std::strchr(access, 'r') && std::strchr(access, '+');
        if (std::strchr(access, 'a') || !(create || update))
            return reinterpret_cast<VSIVirtualHandle*>(
                VSIFOpenEx2L(disk.c_str(), access, set_error, options));
        const int fd = ::open(disk.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0666);
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0) {
            if (set_error) VSIError(VSIE_FileError, "%s: %s", disk.c_str(), std::strerror(errno));
            if (fd >= 0) ::close(fd);
            return nullptr;
        }
        return new WriteBackHandle(fd, disk, static_cast<vsi_l_offset>(st.st_size));
    }
    int Stat(const char* name, VSIStatBufL* buf, int flags) override {
        return VSIStatExL(disk_of(name).c_str(), buf, flags);
    }
    int Unlink(const char* name) override { return VSIUnlink(disk_of(name).c_str()); }
    int Rename(const char* from, const char* to) override {
        return VSIRename(disk_of(from).c_str(), disk_of(to).c_str());
    }
    int Mkdir(const char* name, long mode) override { return VSIMkdir(disk_of(name).c_str(), mode); }
    int Rmdir(const char* name) override { return VSIRmdir(disk_of(name).c_str()); }
    char** ReadDirEx(const char* name, int max_files) override {
        return VSIReadDirEx(disk_of(name).c_str(), max_files);
    }
    int IsCaseSensitive(const char*) override { return TRUE; }
};

}  // namespace

void install_write_back_files() { VSIFileManager::InstallHandler(kPrefix, new WriteBackFilesystem); }

std::string write_back_path(const std::filesystem::path& disk) {
    gdal_setup();
    return std::string(kPrefix, std::strlen(kPrefix) - 1) + std::filesystem::absolute(disk).string();
}

std::string take_write_back_failure() {
    std::lock_guard lock(failure_mutex);
    return std::exchange(first_failure, {});
}

}  // namespace gw
