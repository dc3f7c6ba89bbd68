#include "geo/io/layer_samples.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <set>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"

namespace gw {

namespace {

/** Text as the dataset reader gives it: a shapefile without .cpg may hold GBK. */
std::string utf8(const char* s) {
    if (CPLIsUTF8(s, -1)) return s;
    char* u = CPLRecode(s, "CP936", CPL_ENC_UTF8);
    std::string out = u;
    CPLFree(u);
    return out;
}

struct OpenLayer {
    GDALDatasetUniquePtr ds;
    OGRLayer* layer = nullptr;
    std::vector<std::string> fields;  // UTF-8, in the layer's order
};

OpenLayer open_layer(const std::string& source, const std::string& layer) {
    gdal_setup();
    OpenLayer out;
    {
        CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
        out.ds.reset(GDALDataset::Open(source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    }
    if (!out.ds) throw Error("cannot be opened to read its values", {source, layer}, "check the file is still there");
    out.layer = out.ds->GetLayerByName(layer.c_str());
    // A GBK shapefile's layer name is UTF-8 in LayerInfo but not in GDAL's listing.
    for (int i = 0; !out.layer && i < out.ds->GetLayerCount(); ++i)
        if (utf8(out.ds->GetLayer(i)->GetName()) == layer) out.layer = out.ds->GetLayer(i);
    if (!out.layer) throw Error("no such layer", {source, layer}, "reopen the dataset: the source has changed");
    OGRFeatureDefn* defn = out.layer->GetLayerDefn();
    for (int k = 0; k < defn->GetFieldCount(); ++k) out.fields.push_back(utf8(defn->GetFieldDefn(k)->GetNameRef()));
    out.layer->ResetReading();
    return out;
}

std::string value_of(OGRFeature& f, int k) {
    if (!f.IsFieldSetAndNotNull(k)) return {};
    std::string s = utf8(f.GetFieldAsString(k));
    const auto a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

std::map<std::string, std::vector<std::string>> sample_field_values(const std::string& source,
                                                                    const std::string& layer, size_t n,
                                                                    size_t max_features) {
    OpenLayer L = open_layer(source, layer);
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& f : L.fields) out[f];
    size_t read = 0, full = 0;
    for (auto& feature : *L.layer) {
        if (++read > max_features || full == L.fields.size()) break;
        for (size_t k = 0; k < L.fields.size(); ++k) {
            auto& got = out[L.fields[k]];
            if (got.size() >= n) continue;
            std::string v = value_of(*feature, int(k));
            if (v.empty()) continue;
            got.push_back(std::move(v));
            full += got.size() == n;
        }
    }
    return out;
}

std::vector<std::string> distinct_field_values(const std::string& source, const std::string& layer,
                                               const std::string& field, size_t max, bool* more) {
    OpenLayer L = open_layer(source, layer);
    const auto it = std::find(L.fields.begin(), L.fields.end(), field);
    if (it == L.fields.end()) throw Error("no such field", {source, layer, "", field}, "choose one of the layer's fields");
    const int k = int(it - L.fields.begin());
    std::vector<std::string> out;
    std::set<std::string> seen;
    if (more) *more = false;
    for (auto& feature : *L.layer) {
        std::string v = value_of(*feature, k);
        if (v.empty() || !seen.insert(v).second) continue;
        if (out.size() == max) {
            if (more) *more = true;
            break;
        }
        out.push_back(std::move(v));
    }
    return out;
}

}  // namespace gw
