// gdal_floor FILE LAYER[,LAYER…] [--features] [--fields a,b,…]: the GDAL floor of reading layers —
// each layer streamed whole on one thread through GDAL's Arrow C stream (OGRLayer::GetArrowStream;
// GDAL_NUM_THREADS=1, else GDAL 3.6's GeoPackage driver fills batches on min(4, CPUs) threads of its
// own), or feature by feature with --features, doing nothing with the values. Prints the seconds of the
// whole process's work after start-up. With --fields only those fields are read (SetIgnoredFields on
// the rest), as a command that uses only them could. BENCHMARKS.md reports each command's whole
// process as a multiple of this.
#include <gdal_priv.h>
#include <ogr_recordbatch.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: gdal_floor FILE LAYER[,LAYER…] [--features] [--fields a,b,…]\n");
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    GDALAllRegister();
    CPLSetConfigOption("GDAL_NUM_THREADS", "1");  // one thread: GDAL's, not a pool's (README, For developers)
    bool features = false;
    std::set<std::string> keep;
    for (int i = 3; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--features")) features = true;
        else if (!std::strcmp(argv[i], "--fields") && i + 1 < argc) {
            std::stringstream ss(argv[++i]);
            for (std::string f; std::getline(ss, f, ',');) keep.insert(f);
        }
    }
    GDALDataset* ds = GDALDataset::Open(argv[1], GDAL_OF_VECTOR | GDAL_OF_READONLY);
    if (!ds) return 1;
    std::stringstream names(argv[2]);
    long long rows = 0;
    for (std::string name; std::getline(names, name, ',');) {
        OGRLayer* layer = ds->GetLayerByName(name.c_str());
        if (!layer) {
            std::fprintf(stderr, "no layer %s\n", name.c_str());
            return 1;
        }
        if (!keep.empty()) {
            CPLStringList ignored;
            for (int k = 0; k < layer->GetLayerDefn()->GetFieldCount(); ++k)
                if (!keep.count(layer->GetLayerDefn()->GetFieldDefn(k)->GetNameRef()))
                    ignored.AddString(layer->GetLayerDefn()->GetFieldDefn(k)->GetNameRef());
            layer->SetIgnoredFields(const_cast<const char**>(ignored.List()));
        }
        if (features) {
            for (auto& f : *layer) rows += f->GetFID() >= 0;
            continue;
        }
        ArrowArrayStream stream{};
        if (!layer->GetArrowStream(&stream, nullptr)) return 1;
        for (;;) {
            ArrowArray batch{};
            if (stream.get_next(&stream, &batch) != 0) return 1;
            if (!batch.release) break;
            rows += batch.length;
            batch.release(&batch);
        }
        stream.release(&stream);
    }
    GDALClose(ds);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%lld rows %.3f s\n", rows, s);
    return 0;
}
