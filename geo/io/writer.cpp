// Writing the model out through GDAL (SPEC §7): shapefiles by default, GeoPackage, GeoJSON, KML,
// FlatGeobuf or any other GDAL vector driver.
//
// [SECTION] Text: UTF-8 characters, cuts on character boundaries, bytes in the output encoding
// [SECTION] Masking personal data
// [SECTION] GDAL messages: every warning reaches the user
// [SECTION] Columns: SPEC §3 fields, stats columns, extra fields, names that fit the format
// [SECTION] Output: formats, temporary names, moving into place
// [SECTION] Coordinates: working CRS to output CRS
// [SECTION] Writing one layer
// [SECTION] write_dataset
#include "geo/io/writer.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <iconv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/stats_table.h"
#include "geo/core/text.h"
#include "geo/core/write_back_file.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/layer_columns.h"
#include "geo/io/names.h"
#include "geo/io/out_formats.h"
#include "geo/io/projector.h"

namespace fs = std::filesystem;

namespace gw {
namespace {

// ---------------------------------------------------------------------------------------------
// [SECTION] Text: UTF-8 characters, cuts on character boundaries, bytes in the output encoding

// A DBF field holds at most 254 bytes and a DBF field name 10 bytes, in the file's encoding.
constexpr size_t kDbfValueBytes = 254;
constexpr size_t kDbfNameBytes = 10;

/** Length of the UTF-8 character starting at s[i], never past the end of s. */
size_t utf8_char_len(std::string_view s, size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t n = lead < 0x80           ? 1
               : (lead >> 5) == 0x6  ? 2
               : (lead >> 4) == 0xE  ? 3
               : (lead >> 3) == 0x1E ? 4
                                     : 1;
    return std::min(n, s.size() - i);
}

bool is_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

/**
 * Measures text in the encoding a shapefile is written in, so that names and values can be cut
 * on character boundaries before GDAL cuts them in the middle of one (it does, for names).
 * UTF-8 bytes are what they are; for GBK each character is converted with iconv, and one that
 * CP936 cannot hold is counted as 0 bytes, because GDAL's recoder drops it.
 */
class OutputEncoding {
public:
    explicit OutputEncoding(bool gbk) {
        if (gbk) {
            cd_ = iconv_open("CP936", "UTF-8");
            if (cd_ == reinterpret_cast<iconv_t>(-1))
                throw Error("the system's iconv cannot convert to CP936 (GBK)", {}, "use --encoding UTF-8");
        }
    }
    ~OutputEncoding() {
        if (gbk()) iconv_close(cd_);
    }
    OutputEncoding(const OutputEncoding&) = delete;
    OutputEncoding& operator=(const OutputEncoding&) = delete;

    bool gbk() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

    /** What fits: the first `keep` bytes of the UTF-8 text, `bytes` long in the output encoding. */
    struct Fit {
        size_t keep = 0, bytes = 0;
        bool cut = false;
        std::string lost;  // the first character the output encoding cannot hold
    };

    /** Fits UTF-8 text into max_bytes of the output encoding, cutting on a character boundary. */
    Fit fit(std::string_view s, size_t max_bytes) {
        Fit f;
        // GBK never takes more bytes than UTF-8 (ASCII 1:1, others 2 or 0 instead of 2–4).
        if (s.size() <= max_bytes && (!gbk() || is_ascii(s))) {
            f.keep = f.bytes = s.size();
            return f;
        }
        for (size_t i = 0; i < s.size();) {
            const size_t n = utf8_char_len(s, i);
            const size_t b = n == 1 ? 1 : gbk() ? gbk_bytes(s.substr(i, n)) : n;
            if (b == 0 && f.lost.empty()) f.lost = std::string(s.substr(i, n));
            if (f.bytes + b > max_bytes) {
                f.cut = true;
                return f;
            }
            f.bytes += b, f.keep = i + n, i += n;
        }
        return f;
    }

private:
    /** GBK bytes of one non-ASCII UTF-8 character, through a table of the BMP filled as met. */
    size_t gbk_bytes(std::string_view ch) {
        // CP936 holds nothing outside the Basic Multilingual Plane (4-byte UTF-8).
        if (ch.size() == 4) return 0;
        const auto b = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(ch[i])); };
        const unsigned cp = ch.size() == 2 ? (b(0) & 0x1F) << 6 | (b(1) & 0x3F)
                                           : (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
        if (bmp_.empty()) bmp_.assign(0x10000, kUnknown);
        if (bmp_[cp] == kUnknown) bmp_[cp] = static_cast<uint8_t>(iconv_bytes(ch));
        return bmp_[cp];
    }
    size_t iconv_bytes(std::string_view ch) {
        char in[4], out[8];
        std::copy(ch.begin(), ch.end(), in);
        char* pin = in;
        char* pout = out;
        size_t inleft = ch.size(), outleft = sizeof out;
        if (iconv(cd_, &pin, &inleft, &pout, &outleft) == static_cast<size_t>(-1)) {
            iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset the shift state after EILSEQ
            return 0;
        }
        return sizeof out - outleft;
    }
    static constexpr uint8_t kUnknown = 0xFF;
    iconv_t cd_ = reinterpret_cast<iconv_t>(-1);
    std::vector<uint8_t> bmp_;  // GBK bytes by BMP code point, kUnknown until converted once
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Masking personal data

namespace {
/** One name: one star per hidden character, as on Chinese ID and bank forms: 张三 -> 张*, 张三丰 -> 张*丰. */
std::string mask_one_name(const std::vector<std::string_view>& chars) {
    if (chars.empty()) return {};
    if (chars.size() == 1) return "*";
    std::string out(chars.front());
    out.append(chars.size() == 2 ? 1 : chars.size() - 2, '*');
    if (chars.size() > 2) out += chars.back();
    return out;
}
}  // namespace

std::string mask_name(const std::string& utf8_name) {
    // A field may hold several people (a cell's managers, 张三、李四): each is masked on its own,
    // the separators kept. As one name, 张三、李四 showed 张***四, a character of the second name.
    std::string out;
    std::vector<std::string_view> word;
    std::string_view s(utf8_name);
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_char_len(s, i);
        const std::string_view c = s.substr(i, n);
        i += n;
        if (std::find(std::begin(kNameSeparators), std::end(kNameSeparators), c) ==
            std::end(kNameSeparators)) {
            word.push_back(c);
            continue;
        }
        out += mask_one_name(word);
        out += c;
        word.clear();
    }
    return out + mask_one_name(word);
}

std::string mask_phone(const std::string& phone) {
    std::vector<std::string_view> chars;
    std::string_view s(phone);
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_char_len(s, i);
        chars.push_back(s.substr(i, n));
        i += n;
    }
    const size_t n = chars.size();
    // Mobile numbers (11 digits and longer) keep the carrier prefix and the last four, as Chinese
    // apps show them; shorter (landline) numbers keep only their tail.
    const size_t head = n >= 11 ? 3 : 0;
    const size_t tail = n >= 8 ? 4 : n >= 4 ? 2 : 0;
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        if (i < head || i >= n - tail)
            out += chars[i];
        else
            out += '*';
    }
    return out;
}

std::string mask_digit_runs(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j - i >= 7) {
            out += mask_phone(s.substr(i, j - i));
            i = j;
        } else if (j > i) {
            out += s.substr(i, j - i);
            i = j;
        } else {
            out += s[i++];
        }
    }
    return out;
}

namespace {

/**
 * The numbers shaped as phones and ID cards in free text, masked as mask_phone does: a mobile (11
 * digits from 1), an ID card (15 or 18, or 17 and X), a landline with its area code (0871-6512345,
 * or written together). A code of the region, a date or a count stays as it is.
 */
std::string mask_phone_numbers(const std::string& s) {
    const auto digit = [&](size_t k) {
        return k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]));
    };
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (!digit(i) || (i > 0 && digit(i - 1))) {
            out += s[i++];
            continue;
        }
        size_t j = i;
        while (digit(j)) ++j;
        const size_t n = j - i;
        size_t end = j;
        bool phone = (n == 11 && s[i] == '1') || n == 15 || n == 18 || (s[i] == '0' && n >= 10 && n <= 12);
        if (n == 17 && j < s.size() && (s[j] == 'X' || s[j] == 'x')) phone = true, end = j + 1;
        if (s[i] == '0' && (n == 3 || n == 4) && j < s.size() && s[j] == '-') {
            size_t k = j + 1;
            while (digit(k)) ++k;
            if (k - j - 1 == 7 || k - j - 1 == 8) phone = true, end = k;
        }
        const std::string run = s.substr(i, end - i);
        out += phone ? mask_phone(run) : run;
        i = end;
    }
    return out;
}

/** A field outside the contract as a masked export writes it (PersonalField, names.h). */
std::string mask_extra(const std::string& v, PersonalField kind) {
    switch (kind) {
        case PersonalField::name:
            return mask_name(v);
        case PersonalField::number:
            return mask_phone(v);
        case PersonalField::none:
            break;
    }
    return mask_phone_numbers(v);
}

// ---------------------------------------------------------------------------------------------
// [SECTION] GDAL messages: every warning reaches the user

/**
 * Collects GDAL's warnings and errors while listening (a handler pushed on this thread), so that a
 * warning while writing (recoding, truncation, a value that does not parse) is shown to the user,
 * not lost on a console nobody reads, and a failure can name GDAL's reason. Only while writing: a
 * writer that lives while later layers are read (DatasetWriter) leaves the reading's messages to
 * the reading.
 */
class GdalMessages {
public:
    /** This one's handler pushed on this thread while it is in scope; neither copied nor moved. */
    class Listening {
    public:
        explicit Listening(GdalMessages* m) : pusher_(&GdalMessages::handler, m) {}
        Listening(const Listening&) = delete;
        Listening& operator=(const Listening&) = delete;

    private:
        CPLErrorHandlerPusher pusher_;
    };
    /** Listens until what it returns goes out of scope. */
    [[nodiscard]] Listening listen() { return Listening(this); }

    /** Passes the warnings seen since the last call to on_message, as "warning: WHERE: text (×N)". */
    void flush(const std::string& where, const std::function<void(const std::string&)>& on_message) {
        if (on_message)
            for (const auto& [text, count] : warnings_)
                on_message("warning: " + where + (where.empty() ? "" : ": ") + text +
                           (count > 1 ? " (×" + std::to_string(count) + ")" : ""));
        if (on_message && dropped_ > 0)
            on_message("warning: " + where + ": " + std::to_string(dropped_) +
                       " more GDAL warning(s) like these");
        warnings_.clear();
        dropped_ = 0;
    }
    /** The last GDAL error message since take_error() was last called ("" when none). */
    std::string take_error() { return std::exchange(last_error_, {}); }

private:
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum num, const char* msg) {
        auto* self = static_cast<GdalMessages*>(CPLGetErrorHandlerUserData());
        if (cls == CE_Debug || !self) {
            CPLDefaultErrorHandler(cls, num, msg);
            return;
        }
        if (cls >= CE_Failure) {
            self->last_error_ = msg;
            return;
        }
        // The same warning often repeats per feature: count repeats, keep a bounded list.
        for (auto& [text, count] : self->warnings_)
            if (text == msg) {
                ++count;
                return;
            }
        if (self->warnings_.size() < 20)
            self->warnings_.emplace_back(msg, 1);
        else
            ++self->dropped_;
    }

    std::vector<std::pair<std::string, int>> warnings_;
    int dropped_ = 0;
    std::string last_error_;
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Columns: SPEC §3 fields, stats columns, extra fields, names that fit the format

// The SPEC §3 columns of each layer: columns() in geo/io/layer_columns.h.
// Stats column names, chosen to fit a DBF's 10 bytes as they are (no cut, no mapping to print).
constexpr std::array<const char*, kOwners.size()> kOwnerColumns = {"cam_road", "cam_ent", "cam_house",
                                                                   "cam_public"};
constexpr std::array<const char*, kIncidentTypes.size()> kTypeColumns = {
    "inc_fire", "inc_traff", "inc_disput", "inc_theft", "inc_fraud", "inc_other"};
constexpr std::array<const char*, kColors.size()> kColorColumns = {"inc_red", "inc_yellow", "inc_blue",
                                                                   "inc_green"};

/**
 * The §4 stats figures of one cell; null columns for a cell with no row (another level). The
 * daily checks' columns follow when the table has them (chk_days null: never checked), then the
 * patrols' (road_m, pat_m patrolled, nei_m neither seen nor patrolled, in metres; night_sh the
 * night share of the patrolled metres).
 */
template <class Sink>
void stats_columns(Sink& s, const GridStats* r, const StatsTable& table) {
    auto v = [r](int GridStats::*m) { return r ? std::optional<int>(r->*m) : std::nullopt; };
    s.integer("households", v(&GridStats::households));
    s.integer("people", v(&GridStats::people));
    s.integer("cameras", v(&GridStats::cameras));
    s.integer("cam_online", v(&GridStats::cameras_online));
    s.integer("cam_off", v(&GridStats::cameras_offline));
    for (size_t i = 0; i < kOwners.size(); ++i)
        s.integer(kOwnerColumns[i], r ? std::optional<int>(r->cameras_by_owner[i]) : std::nullopt);
    s.integer("incidents", v(&GridStats::incidents));
    for (size_t i = 0; i < kIncidentTypes.size(); ++i)
        s.integer(kTypeColumns[i], r ? std::optional<int>(r->incidents_by_type[i]) : std::nullopt);
    for (size_t i = 0; i < kColors.size(); ++i)
        s.integer(kColorColumns[i], r ? std::optional<int>(r->incidents_by_color[i]) : std::nullopt);
    if (table.with_checks) {
        s.integer("chk_days", r ? r->check_days_since : std::nullopt);
        s.integer("chk_n", v(&GridStats::checks));
        s.integer("chk_new", v(&GridStats::checks_newcomer));
        s.integer("chk_ret", v(&GridStats::checks_returnee));
        s.integer("chk_out", v(&GridStats::checks_outside));
    }
    if (table.with_patrols) {
        auto m = [r](double GridStats::*f) { return r ? std::optional<double>(r->*f) : std::nullopt; };
        s.real("road_m", m(&GridStats::road_m));
        s.real("pat_m", m(&GridStats::patrolled_m));
        s.real("nei_m", m(&GridStats::neither_m));
        s.real("night_sh", m(&GridStats::night_share));
    }
}

/** One output column: its SPEC (or source) name, the name written, OGR type and DBF width. */
struct Column {
    std::string name, out_name;
    OGRFieldType type = OFTString;
    bool text = false;  // measured and cut as text
    PersonalField personal = PersonalField::none;  // an extra field's, by its name (masked exports)
    size_t width = 1;   // shapefile text: widest value in bytes
    int index = -1;     // field index in the output layer
};

/** Lists the columns of a layer (names and types). */
struct SchemaSink {
    std::vector<Column>* cols;
    void add(const char* name, OGRFieldType t) { cols->push_back({name, {}, t, t == OFTString}); }
    void text(const char* n, const std::string&) { add(n, OFTString); }
    void person(const char* n, const std::string&) { add(n, OFTString); }
    void phone(const char* n, const std::string&) { add(n, OFTString); }
    template <class V>
    void integer(const char* n, const V&) {
        add(n, OFTInteger);
    }
    template <class V>
    void real(const char* n, const V&) {
        add(n, OFTReal);
    }
};

/** How an extra field of the source is written: its own type where the format can hold it. */
OGRFieldType extra_type(int source_type, bool shapefile) {
    switch (source_type) {
        case OFTInteger:
        case OFTInteger64:
        case OFTReal:
        case OFTDate:
            return static_cast<OGRFieldType>(source_type);
        // Shapefiles have no time of day (GDAL 3.6 garbles a DateTime there): keep the text.
        case OFTDateTime:
        case OFTTime:
            return shapefile ? OFTString : static_cast<OGRFieldType>(source_type);
        // Lists and blobs: their text form, which every format holds.
        default:
            return OFTString;
    }
}

/**
 * The names fields are written under, in order: each made unique case-insensitively (DBF and
 * GeoPackage both compare that way) and, for shapefiles, cut to 10 bytes of the output encoding
 * on a character boundary (resolution_px -> resolution; a later resolution_note -> resolutio1).
 * `taken` holds names the format reserves (fid, geom).
 */
std::vector<std::string> choose_out_names(const std::vector<std::string>& names, bool shapefile,
                                          OutputEncoding& enc, std::vector<std::string> taken) {
    for (auto& t : taken) t = ascii_lower(t);
    auto is_taken = [&](const std::string& n) {
        return std::find(taken.begin(), taken.end(), ascii_lower(n)) != taken.end();
    };
    auto cut = [&](const std::string& n, size_t bytes) { return n.substr(0, enc.fit(n, bytes).keep); };
    std::vector<std::string> chosen;
    for (const auto& name : names) {
        std::string base = shapefile ? cut(name, kDbfNameBytes) : name;
        if (base.empty()) base = "field";
        std::string out = base;
        for (int k = 1; is_taken(out); ++k) {
            const std::string suffix = std::to_string(k);
            out = shapefile ? cut(base, kDbfNameBytes - suffix.size()) + suffix : base + "_" + suffix;
        }
        taken.push_back(ascii_lower(out));
        chosen.push_back(std::move(out));
    }
    return chosen;
}

/**
 * Chooses the names written (choose_out_names): SPEC names first, then stats columns, then extra
 * fields. Every renamed column is told through on_message as "layer.name → out_name".
 */
void assign_names(std::vector<Column>& cols, const std::string& layer, bool shapefile, OutputEncoding& enc,
                  std::vector<std::string> taken, const std::function<void(const std::string&)>& on_message) {
    std::vector<std::string> names;
    for (const auto& c : cols) names.push_back(c.name);
    const std::vector<std::string> chosen = choose_out_names(names, shapefile, enc, std::move(taken));
    for (size_t i = 0; i < cols.size(); ++i) {
        cols[i].out_name = chosen[i];
        if (chosen[i] != cols[i].name && on_message)
            on_message(layer + "." + cols[i].name + " → " + chosen[i]);
    }
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Output: formats, temporary names, moving into place

/** A GDAL vector driver and how gridwatch lays its output out. */
struct Format {
    GDALDriver* driver = nullptr;
    std::string name;  // GDAL short name
    std::string ext;   // file extension without the dot
    bool shapefile = false;
    bool per_layer = false;  // one file per layer in a folder (shapefile, GeoJSON, FlatGeobuf…)
    bool wgs84 = false;      // the format mandates WGS84 longitude/latitude (GeoJSON RFC 7946, KML)
    std::vector<std::string> layer_options;  // given to every layer (CSV: GEOMETRY=AS_WKT)
};


Format find_format(const std::string& name) {
    gdal_setup();
    Format f;
    const OutFormat* known = out_format_named(name);
    f.driver = GetGDALDriverManager()->GetDriverByName(known ? known->driver.c_str() : name.c_str());
    if (!f.driver || !f.driver->GetMetadataItem(GDAL_DCAP_VECTOR) ||
        !f.driver->GetMetadataItem(GDAL_DCAP_CREATE))
        throw Error("GDAL has no vector driver '" + name + "' that can write", {"", "", "", "--format"},
                    "use " + out_format_list());
    f.name = f.driver->GetDescription();
    f.shapefile = f.name == "ESRI Shapefile";
    if (known) {
        // gridwatch's own table (geo/io/out_formats.h): extension, layout and options it knows work.
        f.ext = known->ext;
        f.per_layer = known->per_layer;
        f.wgs84 = known->wgs84;
        f.layer_options = known->layer_options;
        return f;
    }
    // Any other GDAL vector driver, described by its own metadata.
    f.wgs84 = f.name == "LIBKML";
    const char* multi = f.driver->GetMetadataItem(GDAL_DCAP_MULTIPLE_VECTOR_LAYERS);
    f.per_layer = !(multi && EQUAL(multi, "YES"));
    if (const char* e = f.driver->GetMetadataItem(GDAL_DMD_EXTENSION); e && *e)
        f.ext = e;
    else if (const char* es = f.driver->GetMetadataItem(GDAL_DMD_EXTENSIONS); es && *es)
        f.ext = CPLStringList(CSLTokenizeString(es))[0];
    if (f.ext.empty())
        throw Error("GDAL driver " + f.name + " does not write files", {"", "", "", "--format"},
                    "use " + out_format_list());
    return f;
}

/** Whether `path` names one layer's file (out.shp, out.geojson) of a one-file-per-layer format. */
bool names_one_layer_file(const Format& format, const fs::path& path) {
    const std::string ext = ascii_lower(path.extension().string());
    return format.per_layer && (ext == "." + format.ext || (format.name == "GeoJSON" && ext == ".json"));
}

[[noreturn]] void nothing_to_write(const std::string& path) {
    throw Error("there is nothing to write (the dataset has no layers)", {path});
}

/**
 * Where the output goes: an AtomicOutput (geo/io/atomic_output.h) beside the target, switched into
 * place whole by commit(): a single file renamed, a folder swapped with the old one, a shapefile's
 * file set committed together; removed by the destructor otherwise.
 *
 * One-file-per-layer formats are written straight into the temporary folder; shapefiles through a
 * write-back buffer (geo/core/write_back_file.h), as the shapefile driver seeks and writes a few
 * bytes per record, and on disk those system calls cost more than the writing itself. (They were
 * written into GDAL's in-memory filesystem and copied, which at a prefecture held the largest
 * layer's files in memory, each time in fresh pages. FlatGeobuf keeps its spatial index's
 * temporary file beside the layer's only on a plain path: under a /vsi prefix other than /vsimem
 * it goes to the working folder.)
 */
class Output {
public:
    Output(const Format& format, const std::string& path, size_t layer_count)
        : format_(format), target_(path) {
        if (path.empty()) throw Error("no output path given", {"", "", "", "--out"}, "give --out PATH");
        // A per-layer format given a file name (out.geojson, out.shp) writes that one file (or
        // file set) when there is one layer; with several there is no file name for the others.
        const bool named_file = names_one_layer_file(format_, target_);
        single_file_ = !format_.per_layer || (named_file && !format_.shapefile);
        file_set_ = named_file && format_.shapefile;
        if (named_file && layer_count != 1)
            throw Error(format_.name + " writes one file per layer and " + std::to_string(layer_count) +
                            " layers are to be written",
                        {path}, "give a folder path as --out, or pick one layer with --layers and --level");
        fs::path parent = target_.parent_path();
        if (parent.empty()) parent = ".";
        std::error_code ec;
        if (!fs::is_directory(parent, ec))
            throw Error("the folder " + parent.string() + " does not exist", {path}, "create it first");
        if ((single_file_ || file_set_) && fs::is_directory(target_, ec))
            throw Error("is a folder, and a file is to be written there", {path}, "give a file name");
        if (!single_file_ && !file_set_ && fs::exists(target_, ec) && !fs::is_directory(target_, ec))
            throw Error("is a file, and " + format_.name + " output is a folder of files", {path},
                        "give a folder path, or remove the file");
        out_.emplace(target_, single_file_ || file_set_ ? AtomicOutput::Kind::File : AtomicOutput::Kind::Folder);
        take_write_back_failure();  // none of an earlier output's is this one's
        if (file_set_) out_->replaces(shapefile_set(target_.stem().string()));
        if (!single_file_ && !file_set_) {
            // The export replaces the old one whole: no layer of it lingers beside the new (read
            // with it next time, a grids layer twice). The user's other files in the folder stay;
            // a layer written replaces every old file of its name (a shapefile's stale .qix too).
            out_->replaces_earlier_output();
            out_->keep_old_if([this](const std::string& name) {
                const std::string stem = name.substr(0, name.find('.'));
                return std::find(stems_.begin(), stems_.end(), stem) == stems_.end();
            });
        }
    }
    ~Output() { discard(); }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    const fs::path& target() const { return target_; }
    /** The file name (without extension) layer `name` is written under. */
    std::string file_stem(const std::string& layer) const {
        return file_set_ ? target_.stem().string() : layer;
    }

    /** The GDAL dataset that receives layer `name`: the one file, or a new file for the layer. */
    GDALDataset* dataset_for(const std::string& layer, GdalMessages& gdal) {
        if (!format_.per_layer && dataset_) return dataset_.get();
        const fs::path disk =
            format_.per_layer ? temp_path(file_stem(layer) + "." + format_.ext) : out_->temp();
        const std::string file = format_.shapefile ? write_back_path(disk) : disk.string();
        CPLStringList dsco;
        GDALDataset* ds = format_.driver->Create(file.c_str(), 0, 0, 0, GDT_Unknown, dsco.List());
        if (!ds) {
            const std::string why = gdal.take_error();
            throw Error("cannot be created" + (why.empty() ? std::string() : ": " + why),
                        {target_.string(), layer}, "check the folder is writable and has space");
        }
        dataset_.reset(ds);
        return ds;
    }

    /** Adds a small file beside the layer's (a shapefile's .cpg). */
    void add_file(const std::string& file_name, const std::string& text) {
        const fs::path disk = temp_path(file_name);
        FILE* f = std::fopen(disk.c_str(), "wb");
        const bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
        if (f && std::fclose(f) != 0 && ok) fail_write(disk);
        if (!ok) fail_write(disk);
    }

    /** A layer is complete: a per-layer file is closed (GDAL writes headers and indexes then). */
    void layer_done(const std::string& layer, GdalMessages& gdal) {
        if (!format_.per_layer) return;
        dataset_.reset();
        // The disk's refusal first: the shapefile driver's own line after it says less.
        std::string why = take_write_back_failure();
        if (why.empty()) why = gdal.take_error();
        if (!why.empty())
            throw Error("writing failed: " + why, {target_.string(), layer}, "check free space");
        stems_.push_back(file_stem(layer));
    }

    /** Closes the single-file dataset (GDAL finishes the file then); throws when that fails. */
    void close(GdalMessages& gdal) {
        dataset_.reset();
        const std::string why = gdal.take_error();
        if (!why.empty()) throw Error("writing failed: " + why, {target_.string()}, "check free space");
    }

    /** Moves the output into place, whole (see the class comment). */
    void commit() { out_->commit(); }

private:
    /** Where a per-layer file of the output is written until commit(). */
    fs::path temp_path(const std::string& file_name) const {
        return single_file_ ? out_->temp() : file_set_ ? out_->temp_of(file_name) : out_->temp() / file_name;
    }
    [[noreturn]] void fail_write(const fs::path& disk) {
        throw Error("cannot be written: " + std::string(std::strerror(errno)), {disk.string()},
                    "check free space and that the folder is writable");
    }
    void discard() {
        dataset_.reset();
        out_.reset();  // removes the temporaries unless committed
    }

    Format format_;
    fs::path target_;
    std::optional<AtomicOutput> out_;
    bool single_file_ = false;  // one file: GPKG, KML, out.geojson …
    bool file_set_ = false;     // out.shp: one shapefile's files, beside each other in the parent
    GDALDatasetUniquePtr dataset_;
    std::vector<std::string> stems_;  // file names (before the extension) of the layers written
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Coordinates: working CRS to output CRS

// ---------------------------------------------------------------------------------------------
// [SECTION] Writing one layer
// (The coordinates of each feature, flattened in one walk order so that a whole layer goes through
// PROJ in one call, and the OGR geometry built from them: geo/io/layer_columns.h.)

/** Text values of one column that did not fit, or lost a character, for one warning line. */
struct TextTrouble {
    int cut = 0, lost = 0;
    std::string first_cut, first_lost, lost_char;
};

/** Fills an OGR feature from a visit (see columns()): masks, fits text, sets nulls for gaps. */
class FeatureSink {
public:
    FeatureSink(OGRFeature& f, const std::vector<Column>& cols, OutputEncoding& enc, bool shapefile,
                bool mask, std::vector<TextTrouble>& trouble)
        : f_(f), cols_(cols), enc_(enc), shapefile_(shapefile), mask_(mask), trouble_(trouble) {}

    void start(const std::string* id) { i_ = 0, id_ = id; }

    void text(const char*, const std::string& v) { set_text(v); }
    void person(const char*, const std::string& v) { set_text(mask_ ? mask_name(v) : v); }
    void phone(const char*, const std::string& v) { set_text(mask_ ? mask_phone(v) : v); }
    void integer(const char*, int v) { f_.SetField(cols_[i_++].index, v); }
    void integer(const char*, std::optional<int> v) {
        if (v)
            f_.SetField(cols_[i_].index, *v);
        else
            f_.SetFieldNull(cols_[i_].index);
        ++i_;
    }
    void real(const char*, double v) {
        // A camera's bad value (NaN) was reported on reading; in a file it becomes null.
        if (std::isfinite(v))
            f_.SetField(cols_[i_].index, v);
        else
            f_.SetFieldNull(cols_[i_].index);
        ++i_;
    }
    void real(const char* n, std::optional<double> v) { real(n, v.value_or(std::nan(""))); }
    /** An extra field's text value; OGR converts it to the column's type. */
    void extra(const std::string& v) {
        if (cols_[i_].text)
            set_text(mask_ ? mask_extra(v, cols_[i_].personal) : v);
        else if (v.empty())
            f_.SetFieldNull(cols_[i_++].index);
        else
            f_.SetField(cols_[i_++].index, v.c_str());
    }
    void skip() { f_.SetFieldNull(cols_[i_++].index); }

private:
    void set_text(const std::string& v) {
        const size_t i = i_++;
        const int field = cols_[i].index;
        if (v.empty()) {
            f_.SetFieldNull(field);
            return;
        }
        if (!shapefile_) {
            f_.SetField(field, v.c_str());
            return;
        }
        const auto fit = enc_.fit(v, kDbfValueBytes);
        if (!fit.lost.empty() && trouble_[i].lost++ == 0)
            trouble_[i].first_lost = *id_, trouble_[i].lost_char = fit.lost;
        if (fit.cut) {
            if (trouble_[i].cut++ == 0) trouble_[i].first_cut = *id_;
            f_.SetField(field, v.substr(0, fit.keep).c_str());
        } else {
            f_.SetField(field, v.c_str());
        }
    }

    OGRFeature& f_;
    const std::vector<Column>& cols_;
    OutputEncoding& enc_;
    bool shapefile_, mask_;
    std::vector<TextTrouble>& trouble_;
    size_t i_ = 0;  // column being visited
    const std::string* id_ = nullptr;
};

/**
 * Measures the widest text of each column in output bytes (after masking and cutting), so that
 * DBF fields are created as wide as needed: GDAL would otherwise start at 80 bytes and rewrite
 * the whole .dbf each time a longer value forces the field wider.
 */
class WidthSink {
public:
    WidthSink(std::vector<Column>& cols, OutputEncoding& enc, bool mask)
        : cols_(cols), enc_(enc), mask_(mask) {}
    void start() { i_ = 0; }
    void text(const char*, const std::string& v) { measure(v); }
    void person(const char*, const std::string& v) { measure(mask_ ? mask_name(v) : v); }
    void phone(const char*, const std::string& v) { measure(mask_ ? mask_phone(v) : v); }
    template <class V>
    void integer(const char*, const V&) {
        ++i_;
    }
    template <class V>
    void real(const char*, const V&) {
        ++i_;
    }
    void extra(const std::string& v) {
        if (cols_[i_].text)
            measure(mask_ ? mask_extra(v, cols_[i_].personal) : v);
        else
            ++i_;
    }
    void skip() { ++i_; }

private:
    void measure(const std::string& v) {
        auto& c = cols_[i_++];
        if (v.size() > c.width || enc_.gbk()) c.width = std::max(c.width, enc_.fit(v, kDbfValueBytes).bytes);
    }
    std::vector<Column>& cols_;
    OutputEncoding& enc_;
    bool mask_;
    size_t i_ = 0;
};

/**
 * A GeoPackage's checks layer gets an index on check_id (not unique: a user's data may hold old
 * duplicates), named as `gridwatch import` names the one it builds (check_import.cpp): an import
 * then looks the file's ids up instead of building the index over a county's ~270k reports inside
 * its own transaction.
 */
void index_check_ids(GDALDataset& ds, const std::string& layer, const std::vector<Column>& cols,
                     GdalMessages& gdal, const std::string& target) {
    for (const auto& c : cols)
        if (c.name == "check_id") {
            const std::string sql = "CREATE INDEX IF NOT EXISTS " + quote_ident(layer + "_check_id_idx") +
                                    " ON " + quote_ident(layer) + "(" + quote_ident(c.out_name) + ")";
            gdal.take_error();
            ds.ReleaseResultSet(ds.ExecuteSQL(sql.c_str(), nullptr, nullptr));
            if (const std::string why = gdal.take_error(); !why.empty())
                throw Error("cannot index check_id: " + why, {target, layer, "", c.out_name});
        }
}

/** What write_layer needs besides the features themselves. */
struct LayerContext {
    const Dataset& ds;
    const WriteOptions& opt;
    const Format& format;
    Output& out;
    GdalMessages& gdal;
    OutputEncoding& enc;
    const OGRSpatialReference& srs;
    Projector& to_target;
    std::vector<std::string>& renamed_layers;  // canonical layers whose renames were already told
};

/** A level's figures by (level, grid_id). */
using StatsByCell = std::map<std::pair<int, std::string>, const GridStats*>;

/**
 * Writes one output layer: schema (SPEC columns, stats for the stats level, extra fields),
 * fields sized and named for the format, geometry transformed to the target CRS in one batch,
 * features inside a transaction where the driver has them.
 */
template <class T>
void write_layer(LayerContext& cx, const std::string& canonical, const std::string& name,
                 const std::vector<const T*>& features, const StatsByCell* stats) {
    const bool shp = cx.format.shapefile;
    const std::string target = cx.out.target().string();

    // Columns: SPEC §3, then stats, then the source's extra fields.
    std::vector<Column> cols;
    SchemaSink schema{&cols};
    columns(schema, T{});
    if (stats) stats_columns(schema, nullptr, *cx.opt.stats.front());
    static const ExtraFields no_extras;
    const auto ex = cx.ds.extra_fields.find(canonical);
    const ExtraFields& extras = ex == cx.ds.extra_fields.end() ? no_extras : ex->second;
    for (size_t k = 0; k < extras.names.size(); ++k) {
        // Masked, a field of people's names or numbers is text (138****1234 in a number column is no number).
        const int source_type = k < extras.ogr_types.size() ? extras.ogr_types[k] : OFTString;
        PersonalField personal = cx.opt.mask_personal ? personal_field(extras.names[k]) : PersonalField::none;
        // A column named for people that holds numbers holds no names (a count of them).
        if (personal == PersonalField::name && source_type != OFTString) personal = PersonalField::none;
        const OGRFieldType t =
            personal != PersonalField::none
                ? OFTString
                : extra_type(k < extras.ogr_types.size() ? extras.ogr_types[k] : OFTString, shp);
        cols.push_back({extras.names[k], {}, t, t == OFTString, personal});
    }

    auto visit_extras = [&](auto& sink, const T& f) {
        for (size_t k = 0; k < extras.names.size(); ++k)
            if (k < f.extra.size())
                sink.extra(f.extra[k]);
            else
                sink.skip();
    };
    auto stats_row = [&](const T& f) -> const GridStats* {
        if constexpr (std::is_same_v<T, Grid>) {
            auto it = stats->find({f.level, f.grid_id});
            return it == stats->end() ? nullptr : it->second;
        }
        (void)f;
        return nullptr;
    };

    if (shp) {
        WidthSink w(cols, cx.enc, cx.opt.mask_personal);
        for (const T* f : features) {
            w.start();
            columns(w, *f);
            if (stats) stats_columns(w, stats_row(*f), *cx.opt.stats.front());
            visit_extras(w, *f);
        }
        // An empty layer is a form to fill in (its text as wide as a DBF value may be), not a
        // record of text one byte wide.
        if (features.empty())
            for (auto& c : cols) c.width = kDbfValueBytes;
    }

    // The layer and its fields.
    GDALDataset* ds = cx.out.dataset_for(name, cx.gdal);
    CPLStringList lco;
    // UTF-8 goes out as it is: an empty ENCODING spares GDAL a UTF-8 -> UTF-8 "recode" (a copy)
    // of every value, and the .cpg is written below. GBK is recoded by GDAL.
    if (shp) lco.SetNameValue("ENCODING", cx.enc.gbk() ? "CP936" : "");
    for (const auto& option : cx.format.layer_options) lco.AddString(option.c_str());
    const OGRwkbGeometryType gtype = layer_geometry_type(features);
    OGRLayer* layer = ds->CreateLayer(name.c_str(), const_cast<OGRSpatialReference*>(&cx.srs), gtype, lco.List());
    if (!layer) {
        const std::string why = cx.gdal.take_error();
        throw Error("cannot create the layer" + (why.empty() ? std::string() : ": " + why), {target, name});
    }
    std::vector<std::string> reserved;
    if (const char* fid = layer->GetFIDColumn(); fid && *fid) reserved.push_back(fid);
    if (const char* geom = layer->GetGeometryColumn(); geom && *geom) reserved.push_back(geom);
    const bool tell =
        std::find(cx.renamed_layers.begin(), cx.renamed_layers.end(), canonical) == cx.renamed_layers.end();
    cx.renamed_layers.push_back(canonical);
    assign_names(cols, canonical, shp, cx.enc, reserved, tell ? cx.opt.on_message : nullptr);
    for (auto& c : cols) {
        // Some drivers start a layer with fields of their own (KML: Name, Description): a column
        // of the same name goes into that field.
        OGRFeatureDefn* defn = layer->GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount() && c.index < 0; ++i)
            if (ascii_lower(defn->GetFieldDefn(i)->GetNameRef()) == ascii_lower(c.out_name) &&
                defn->GetFieldDefn(i)->GetType() == c.type)
                c.index = i;
        if (c.index >= 0) continue;
        OGRFieldDefn field(c.out_name.c_str(), c.type);
        if (shp && c.type == OFTString) field.SetWidth(static_cast<int>(std::min(c.width, kDbfValueBytes)));
        const int before = defn->GetFieldCount();
        // Field indices are kept, never looked up by name: with CP936, GDAL may not find a Chinese
        // name it has just created until the file is reopened.
        if (layer->CreateField(&field, FALSE) != OGRERR_NONE ||
            layer->GetLayerDefn()->GetFieldCount() != before + 1) {
            const std::string why = cx.gdal.take_error();
            throw Error("cannot create the field" + (why.empty() ? std::string() : ": " + why),
                        {target, name, "", c.name});
        }
        c.index = before;
    }

    // Geometry: every coordinate of the layer through PROJ at once.
    std::vector<Vec2> xy;
    for (const T* f : features) append_coords(*f, xy);
    try {
        if constexpr (std::is_same_v<T, Grid>)
            cx.to_target.apply_shared(xy);
        else
            cx.to_target.apply(xy);
    } catch (const Error&) {
        for (const T* f : features) {  // find the feature to name
            std::vector<Vec2> one;
            append_coords(*f, one);
            try {
                cx.to_target.apply_one(one);
            } catch (const Error&) {
                throw Error("coordinates cannot be transformed to the output CRS",
                            {target, name, feature_id(*f)}, "check --crs");
            }
        }
        throw;
    }

    const bool transactions = ds->TestCapability(ODsCTransactions);
    if (transactions && ds->StartTransaction() != OGRERR_NONE) {
        const std::string why = cx.gdal.take_error();
        throw Error("cannot start a transaction: " + why, {target, name});
    }
    // One feature reused for the whole layer: fields are overwritten (or nulled) each time.
    OGRFeature feature(layer->GetLayerDefn());
    OGRPoint* point = nullptr;
    if (geometry_type<T>() == wkbPoint) {
        point = new OGRPoint;
        feature.SetGeometryDirectly(point);
    }
    std::vector<TextTrouble> trouble(cols.size());
    FeatureSink sink(feature, cols, cx.enc, shp, cx.opt.mask_personal, trouble);
    const Vec2* cursor = xy.data();
    std::string id;
    for (const T* f : features) {
        id = feature_id(*f);
        sink.start(&id);
        columns(sink, *f);
        if (stats) stats_columns(sink, stats_row(*f), *cx.opt.stats.front());
        visit_extras(sink, *f);
        if (point) {
            point->setX(cursor->x), point->setY(cursor->y);
            ++cursor;
        } else {
            feature.SetGeometryDirectly(make_geometry(*f, cursor, gtype == wkbLineString));
        }
        feature.SetFID(OGRNullFID);
        if (layer->CreateFeature(&feature) != OGRERR_NONE) {
            const std::string why = cx.gdal.take_error();
            throw Error("cannot write the feature" + (why.empty() ? std::string() : ": " + why),
                        {target, name, id}, "check free space and the values");
        }
    }
    if constexpr (std::is_same_v<T, Check>)
        if (cx.format.name == "GPKG") index_check_ids(*ds, name, cols, cx.gdal, target);
    if (transactions && ds->CommitTransaction() != OGRERR_NONE) {
        const std::string why = cx.gdal.take_error();
        throw Error("cannot commit the layer: " + why, {target, name});
    }

    // Tell what changed in the text, once per column.
    if (cx.opt.on_message) {
        for (size_t i = 0; i < cols.size(); ++i) {
            const auto& t = trouble[i];
            const std::string where = name + "." + cols[i].name;
            if (t.cut)
                cx.opt.on_message(
                    "warning: " + where + ": " + std::to_string(t.cut) +
                    " value(s) cut to 254 bytes on a character boundary (first: " + t.first_cut + ")");
            if (t.lost)
                cx.opt.on_message("warning: " + where + ": " + std::to_string(t.lost) +
                                  " value(s) with characters GBK (CP936) cannot hold, such as '" +
                                  t.lost_char + "' (first: " + t.first_lost +
                                  "); they are left out of the file (use --encoding UTF-8 to keep them)");
        }
    }
    if (shp && !cx.enc.gbk()) cx.out.add_file(cx.out.file_stem(name) + ".cpg", "UTF-8");
    cx.out.layer_done(name, cx.gdal);
    cx.gdal.flush(name, cx.opt.on_message);
}

template <class T>
std::vector<const T*> pointers(const std::vector<T>& v) {
    std::vector<const T*> out;
    out.reserve(v.size());
    for (const auto& x : v) out.push_back(&x);
    return out;
}

/** fn(the records of canonical layer l), for every layer but the grids (written a level at a time). */
template <class Fn>
void with_records(const Dataset& ds, const std::string& l, Fn&& fn) {
    if (l == "households")
        fn(ds.households);
    else if (l == "cameras")
        fn(ds.cameras);
    else if (l == "enterprises")
        fn(ds.enterprises);
    else if (l == "roads")
        fn(ds.roads);
    else if (l == "buildings")
        fn(ds.buildings);
    else if (l == "incidents")
        fn(ds.incidents);
    else if (l == "facilities")
        fn(ds.facilities);
    else if (l == "candidates")
        fn(ds.candidates);
    else if (l == "patrols")
        fn(ds.patrols);
    else if (l == "checks")
        fn(ds.checks);
}

/** Features the model holds for a canonical layer. */
size_t feature_count(const Dataset& ds, const std::string& l) {
    if (l == "grids") return ds.grids.size();
    size_t n = 0;
    with_records(ds, l, [&](const auto& records) { n = records.size(); });
    return n;
}

OGRSpatialReference srs_from_wkt(const std::string& wkt, const std::string& what) {
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (wkt.empty() || srs.importFromWkt(wkt.c_str()) != OGRERR_NONE)
        throw Error("the dataset has no usable " + what, {}, "open it through open_dataset, or set its CRS");
    return srs;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] write_dataset and DatasetWriter

/** What the writer keeps from its start to its end: the output, the CRSs, the choices. */
struct DatasetWriter::State {
    WriteOptions opt;
    Format format;
    OutputEncoding enc;
    GdalMessages gdal;
    OGRSpatialReference work, target;
    std::optional<Projector> to_target;
    StatsByCell stats_by_id;
    std::optional<size_t> layer_count;  // known beforehand (write_dataset), or counted as written
    std::optional<Output> out;
    std::vector<std::string> renamed;
    Written written;

    State(const WriteOptions& o, const Format& f, bool gbk) : opt(o), format(f), enc(gbk && f.shapefile) {}

    /**
     * The output, made at the first layer written unless the layers were counted beforehand. Not
     * counted, a file name for one layer's file is refused at the second layer (`layer`).
     */
    Output& output(const std::string& layer) {
        if (!out) out.emplace(format, opt.path, layer_count.value_or(1));
        if (!layer_count && written.layers >= 1 && names_one_layer_file(format, opt.path))
            throw Error(format.name + " writes one file per layer and more than one layer is to be written",
                        {opt.path, layer},
                        "give a folder path as --out, or pick one layer with --layers and --level");
        return *out;
    }
};

namespace {

/** The grid layers written: a layer a level for shapefiles (unless one was asked for), else one. */
struct GridLayer {
    std::string name;
    std::vector<const Grid*> cells;
};
std::vector<GridLayer> grid_layers_of(const Dataset& ds, const WriteOptions& opt, const Format& format) {
    std::vector<GridLayer> layers;
    std::vector<const Grid*> kept;
    for (const auto& g : ds.grids)
        if (opt.level == 0 || g.level == opt.level) kept.push_back(&g);
    if (format.shapefile && opt.split_grid_levels) {
        for (int level = 1; level <= 4; ++level) {
            GridLayer gl{"grids_L" + std::to_string(level), {}};
            for (const Grid* g : kept)
                if (g->level == level) gl.cells.push_back(g);
            if (!gl.cells.empty() || opt.level == level) layers.push_back(std::move(gl));
        }
        if (layers.empty()) layers.push_back({"grids", {}});
    } else {
        layers.push_back({"grids", std::move(kept)});
    }
    return layers;
}

/**
 * Whether canonical layer l of ds is written: listed in --layers, or (none listed) holding
 * features, or present in the source though empty (an office's cameras layer before its first
 * camera goes into the export as a layer to fill in). An output that names one layer's file
 * takes the layers holding features alone.
 */
bool wanted(const Dataset& ds, const WriteOptions& opt, const std::string& l) {
    if (!opt.layers.empty()) return std::find(opt.layers.begin(), opt.layers.end(), l) != opt.layers.end();
    if (feature_count(ds, l) > 0) return true;
    if (names_one_layer_file(find_format(opt.format), opt.path)) return false;
    return std::any_of(ds.layers.begin(), ds.layers.end(),
                       [&](const LayerInfo& i) { return i.name == l && !i.recognised_by.empty(); });
}

}  // namespace

bool names_one_layer_file(const WriteOptions& opt) {
    return names_one_layer_file(find_format(opt.format), opt.path);
}

DatasetWriter::DatasetWriter(const Dataset& head, const WriteOptions& opt,
                             std::optional<size_t> layer_count) {
    const Format format = find_format(opt.format);
    std::string enc_name = ascii_lower(opt.encoding);
    const bool gbk = enc_name == "gbk" || enc_name == "cp936" || enc_name == "936";
    if (!gbk && enc_name != "utf-8" && enc_name != "utf8" && !enc_name.empty())
        throw Error("unknown text encoding '" + opt.encoding + "'", {"", "", "", "--encoding"},
                    "use UTF-8 or GBK");
    if (opt.level < 0 || opt.level > 4)
        throw Error("level must be 1 to 4 (or 0 for all)", {"", "", "", "--level"});
    s_ = std::make_unique<State>(opt, format, gbk);
    s_->layer_count = layer_count;
    const auto listening = s_->gdal.listen();
    if (gbk && !format.shapefile && opt.on_message)
        opt.on_message("note: --encoding applies to shapefiles only; " + format.name +
                       " is written in UTF-8");
    for (const auto& l : opt.layers)
        if (std::find(canonical_layers().begin(), canonical_layers().end(), l) == canonical_layers().end())
            throw Error("unknown layer '" + l + "'", {"", "", "", "--layers"},
                        "use grids, households, cameras, enterprises, roads, buildings, incidents, "
                        "facilities, candidates, patrols or checks");
    if (layer_count && *layer_count == 0) nothing_to_write(opt.path);

    // CRSs: the model is in the working CRS; the file gets the target CRS.
    s_->work = srs_from_wkt(head.work_crs_wkt, "working CRS");
    OGRSpatialReference& target = s_->target;
    if (format.wgs84) {
        target = parse_crs("EPSG:4326");
        if (!opt.crs.empty() && opt.on_message && crs_label(parse_crs(opt.crs)) != "EPSG:4326")
            opt.on_message("note: " + format.name +
                           " is written in WGS84 (EPSG:4326) as the format requires; --crs is not used");
    } else if (!opt.crs.empty()) {
        target = parse_crs(opt.crs, "--crs");
    } else if (!head.source_crs_wkt.empty()) {
        target = srs_from_wkt(head.source_crs_wkt, "source CRS");
    } else if (!head.crs.empty()) {
        target = parse_crs(head.crs, "the dataset's CRS");
    } else {
        target = s_->work;
    }
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    s_->to_target.emplace(s_->work, target);

    // By level and id: a cell and its parent may share an id across levels, never within one.
    for (const StatsTable* t : opt.stats)
        for (const auto& r : t->rows)
            if (!s_->stats_by_id.emplace(std::pair(t->level, r.grid_id), &r).second)
                throw Error("two cells of level " + std::to_string(t->level) +
                                " carry this grid_id: the figures of each cannot be joined",
                            {head.source, "grids", r.grid_id}, "give each cell its own grid_id");
    // An output whose layers were counted is made before any is written (it refuses a file name for
    // several layers at once).
    if (layer_count) s_->output("");
    s_->gdal.flush("", opt.on_message);
    s_->gdal.take_error();  // what failed here threw; none of it is a later layer's reason
}

DatasetWriter::~DatasetWriter() {
    try {
        const auto listening = s_->gdal.listen();
        s_->out.reset();  // removes the output unless finish() committed it
        s_->gdal.flush("", s_->opt.on_message);
    } catch (...) {
    }
}

void DatasetWriter::write(const Dataset& ds, const std::string& l) {
    State& s = *s_;
    if (!wanted(ds, s.opt, l)) return;
    const auto listening = s.gdal.listen();
    auto one = [&](const std::string& name, const auto& features, const StatsByCell* stats) {
        Output& out = s.output(name);
        LayerContext cx{ds, s.opt, s.format, out, s.gdal, s.enc, s.target, *s.to_target, s.renamed};
        write_layer(cx, l, name, features, stats);
        ++s.written.layers;
        s.written.features += features.size();
    };
    if (l == "grids") {
        for (const auto& gl : grid_layers_of(ds, s.opt, s.format)) {
            bool has_stats_level = false;
            for (const Grid* g : gl.cells)
                for (const StatsTable* t : s.opt.stats) has_stats_level |= g->level == t->level;
            one(gl.name, gl.cells, has_stats_level ? &s.stats_by_id : nullptr);
        }
    } else {
        with_records(ds, l, [&](const auto& records) { one(l, pointers(records), nullptr); });
    }
}

Written DatasetWriter::finish() {
    State& s = *s_;
    if (!s.out) nothing_to_write(s.opt.path);
    const auto listening = s.gdal.listen();
    s.out->close(s.gdal);
    s.gdal.flush("", s.opt.on_message);
    s.out->commit();
    return s.written;
}

Written write_dataset(const Dataset& ds, const WriteOptions& opt) {
    // The layers counted first: an output naming one layer's file refuses several before any is written.
    const Format format = find_format(opt.format);
    size_t layer_count = 0;
    for (const auto& l : canonical_layers())
        if (wanted(ds, opt, l)) layer_count += l == "grids" ? grid_layers_of(ds, opt, format).size() : 1;
    DatasetWriter w(ds, opt, layer_count);
    for (const auto& l : canonical_layers()) w.write(ds, l);
    return w.finish();
}

size_t utf8_fit(std::string_view text, size_t bytes) {
    OutputEncoding utf8(false);
    return utf8.fit(text, bytes).keep;
}

std::vector<std::string> out_field_names(const std::vector<std::string>& names, bool shapefile) {
    OutputEncoding utf8(false);
    return choose_out_names(names, shapefile, utf8, {});
}

}  // namespace gw
