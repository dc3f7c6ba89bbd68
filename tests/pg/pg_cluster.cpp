#include "pg_cluster.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <chrono>
#include <mutex>
#include <thread>

namespace gwtest {
namespace {

struct Cluster {
    std::string dir, conninfo, error;
    bool tried = false;
};

Cluster& cluster() {
    static Cluster c;
    return c;
}

std::string script() { return std::string(GRIDWATCH_SOURCE_DIR) + "/tests/pg/cluster.sh"; }

/** Runs a shell command; its stdout, and its exit status in `status`. */
std::string capture(const std::string& cmd, int& status) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) {
        status = -1;
        return out;
    }
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    const int rc = pclose(p);
    status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

void start() {
    Cluster& c = cluster();
    c.tried = true;
    char tmpl[] = "/tmp/gw_pgtest.XXXXXX";
    if (!mkdtemp(tmpl)) {
        c.error = "cannot make a temporary folder";
        return;
    }
    c.dir = tmpl;
    int status = 0;
    const std::string err = c.dir + ".err";
    c.conninfo = capture(script() + " start " + c.dir + " 2>" + err, status);
    if (status != 0) {
        int s2 = 0;
        c.error = capture("cat " + err, s2);
        if (c.error.empty()) c.error = "cluster.sh exited " + std::to_string(status);
        c.conninfo.clear();
        capture(script() + " stop " + c.dir + " 2>/dev/null", s2);
    }
    std::remove(err.c_str());
}

Cluster& standby() {
    static Cluster c;
    return c;
}

/** The standby of the cluster: pg_basebackup of it into a folder of its own, started. */
void start_standby() {
    Cluster& s = standby();
    s.tried = true;
    const Cluster& p = cluster();
    if (p.conninfo.empty()) {
        s.error = "no primary: " + p.error;
        return;
    }
    char tmpl[] = "/tmp/gw_pgstandby.XXXXXX";
    if (!mkdtemp(tmpl)) {
        s.error = "cannot make a temporary folder";
        return;
    }
    s.dir = tmpl;
    int status = 0;
    const std::string err = s.dir + ".err";
    s.conninfo = capture(script() + " standby " + s.dir + " " + p.dir + " 2>" + err, status);
    if (status != 0) {
        int s2 = 0;
        s.error = capture("cat " + err, s2);
        if (s.error.empty()) s.error = "cluster.sh standby exited " + std::to_string(status);
        s.conninfo.clear();
        capture(script() + " stop " + s.dir + " 2>/dev/null", s2);
        s.dir.clear();
    }
    std::remove(err.c_str());
}

/** Stops the cluster when the tests end (a GoogleTest global environment). */
class ClusterEnvironment : public ::testing::Environment {
public:
    void TearDown() override {
        if (!standby().dir.empty()) {
            int status = 0;
            capture(script() + " stop " + standby().dir + " 2>/dev/null", status);
            standby().dir.clear();
        }
        Cluster& c = cluster();
        if (c.dir.empty()) return;
        int status = 0;
        capture(script() + " stop " + c.dir + " 2>/dev/null", status);
        c.dir.clear();
    }
};
[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

const Cluster& ready() {
    static std::once_flag once;
    std::call_once(once, start);
    return cluster();
}

}  // namespace

std::string pg_unavailable() { return ready().error; }

std::string pg_conninfo(const std::string& dbname) {
    const Cluster& c = ready();
    if (c.conninfo.empty()) return {};
    std::string info = c.conninfo;
    const auto at = info.find("dbname=postgres");
    if (at != std::string::npos) info.replace(at, 15, "dbname=" + dbname);
    return info;
}

const Cluster& standby_ready() {
    ready();
    static std::once_flag once;
    std::call_once(once, start_standby);
    return standby();
}

std::string pg_standby_unavailable() { return standby_ready().error; }

std::string pg_standby_conninfo(const std::string& dbname) {
    const Cluster& s = standby_ready();
    if (s.conninfo.empty()) return {};
    std::string info = s.conninfo;
    const auto at = info.find("dbname=postgres");
    if (at != std::string::npos) info.replace(at, 15, "dbname=" + dbname);
    return info;
}

bool pg_standby_caught_up(double timeout_s) {
    if (standby_ready().conninfo.empty()) return false;
    PgClient primary(pg_conninfo()), replica(pg_standby_conninfo());
    const std::string target = primary.scalar("SELECT pg_current_wal_lsn()");
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < timeout_s) {
        if (replica.scalar("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn") == "t") return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

std::string pg_new_database(const std::string& name) {
    PgClient admin(pg_conninfo());
    admin.exec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    const std::string err = admin.exec("CREATE DATABASE \"" + name + "\"");
    EXPECT_EQ(err, "") << "creating database " << name;
    return pg_conninfo(name);
}

PgClient::PgClient(const std::string& conninfo) {
    conn_ = PQconnectdb(conninfo.c_str());
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << conninfo << ": " << PQerrorMessage(conn_);
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
}
PgClient::~PgClient() {
    if (conn_) PQfinish(conn_);
}
bool PgClient::ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

std::vector<std::vector<std::string>> PgClient::query(const std::string& sql, std::string* error) {
    std::vector<std::vector<std::string>> rows;
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        const std::string msg = PQerrorMessage(conn_);
        PQclear(r);
        if (error)
            *error = msg.empty() ? "error" : msg;
        else
            ADD_FAILURE() << sql << ": " << msg;
        return rows;
    }
    if (error) error->clear();
    for (int i = 0; i < PQntuples(r); ++i) {
        std::vector<std::string> row;
        for (int j = 0; j < PQnfields(r); ++j) row.push_back(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
        rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
}

std::string PgClient::scalar(const std::string& sql, std::string* error) {
    auto rows = query(sql, error);
    return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
}

std::string PgClient::exec(const std::string& sql) {
    std::string error;
    query(sql, &error);
    return error;
}

}  // namespace gwtest
