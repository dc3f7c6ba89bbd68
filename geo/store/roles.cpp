#include "geo/store/roles.h"

#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/store/pg.h"
#include "geo/store/schema.h"

namespace gw::store {

RoleResult set_role(const std::string& pg_source, const RoleRequest& req) {
    Connection pg(pg_source);
    const std::string src = pg.source();
    if (req.login.empty()) throw Error("no login name given", {src}, "give the role's name");
    const std::string schema = pg.scalar("SELECT current_schema()", "reading the default schema");
    if (pg.scalar("SELECT to_regclass(" + quote_literal(quote_ident(schema) + ".gridwatch_logins") + ")").empty())
        throw Error("schema '" + schema + "' holds no gridwatch store", {src},
                    "make it first: gridwatch db init PG:… --from DATASET");
    const std::string S = quote_ident(schema) + ".";
    RoleResult out{req.login, req.kind == RoleKind::Community ? "community" : req.kind == RoleKind::County ? "county" : "wall",
                   req.community, false};
    Transaction tx(pg);
    {
        // A store made before names in a list were masked one by one shows a character of the
        // last (张***四) to every wall until its masks are brought up to date: here, by its owner.
        // One update at a time (two logins made at once would both try it), and the new function
        // the old one's owner's, should a superuser who is not the owner run this.
        pg.exec("SELECT pg_advisory_xact_lock(hashtext('gridwatch masks'))", "waiting for another db roles");
        if (pg.scalar(masks_outdated_query(schema), "reading the store's masks") == "t") {
            const std::string fn = quote_literal(quote_ident(schema) + ".gridwatch_mask_name(text)");
            const std::string owner = pg.scalar(
                "SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = " + fn + "::regprocedure",
                "reading who owns the store's masks");
            pg.exec(masks_update_sql(schema), "bringing the store's name masks up to date (as its owner)");
            pg.exec("ALTER FUNCTION " + quote_ident(schema) + ".gridwatch_mask_one_name(text) OWNER TO " +
                        quote_ident(owner),
                    "giving the new mask its store's owner");
            out.masks_updated = true;
        }
        if (req.kind == RoleKind::Community) {
            if (req.community.empty()) throw Error("no community given", {src}, "give --community with an L1 grid_id");
            if (pg.scalar("SELECT count(*) FROM " + S + "grids WHERE level = 1 AND grid_id = " + quote_literal(req.community)) == "0") {
                std::string known;
                for (const auto& r : pg.query("SELECT grid_id FROM " + S + "grids WHERE level = 1 ORDER BY grid_id LIMIT 5"))
                    known += (known.empty() ? "" : ", ") + r[0].value_or("");
                throw Error("no L1 grid cell '" + req.community + "' in the store", {src, "grids", "", "grid_id"},
                            known.empty() ? "load the grids first (db init --from)" : "give one of " + known);
            }
        }
        const std::string role = quote_ident(req.login);
        // A superuser, or a role past row-level security, sees every row of every table whatever it
        // is granted: as a wall it would read names unmasked, as a community every community.
        if (req.kind != RoleKind::County &&
            pg.scalar("SELECT count(*) FROM pg_roles WHERE rolname = " + quote_literal(req.login) +
                      " AND (rolsuper OR rolbypassrls)") != "0")
            throw Error("login '" + req.login + "' is a superuser or bypasses row-level security: as a " +
                            out.kind + " login it would still see every row, names unmasked",
                        {src, "", "", req.kind == RoleKind::Wall ? "--wall" : "--login"},
                        "give the " + out.kind + " a login of its own");
        out.created = pg.scalar("SELECT count(*) FROM pg_roles WHERE rolname = " + quote_literal(req.login)) == "0";
        if (out.created)
            pg.exec("CREATE ROLE " + role + " LOGIN", "creating login '" + req.login + "'");
        else
            pg.exec("ALTER ROLE " + role + " LOGIN", "updating login '" + req.login + "'");
        // Rights start over, so that a login whose kind changes keeps none of the old ones.
        std::string tables, views;
        for (const auto& t : store_tables()) tables += (tables.empty() ? "" : ", ") + S + quote_ident(t);
        // A store made before grids_public and checks_public gets them (the owner runs db roles),
        // and every wall login it has moves onto them: one that could read the tables would go on
        // reading the managers' and reporters' names in clear.
        for (const auto& [t, masked] : masked_columns()) views += ", " + S + quote_ident(t + "_public");
        if (pg.scalar("SELECT to_regclass(" + quote_literal(S + "grids_public") + ") IS NULL") == "t") {
            pg.exec(public_views_sql(S), "making the masked views of grids and checks");
            for (const auto& r : pg.query("SELECT login FROM " + S +
                                              "gridwatch_logins WHERE kind = 'wall' AND login IN "
                                              "(SELECT rolname FROM pg_roles)",
                                          "reading the wall logins")) {
                const std::string wall = quote_ident(r[0].value_or(""));
                pg.exec("REVOKE ALL ON " + S + "grids, " + S + "checks FROM " + wall,
                        "moving a wall onto the masked views");
                pg.exec("GRANT SELECT ON " + views.substr(2) + " TO " + wall,
                        "moving a wall onto the masked views");
            }
        }
        pg.exec("REVOKE ALL ON " + tables + views + " FROM " + role, "revoking old rights");
        pg.exec("GRANT USAGE ON SCHEMA " + quote_ident(schema) + " TO " + role, "granting the schema");
        if (req.kind == RoleKind::Wall) {
            // Names and phones only masked: households, grids and checks through their views.
            std::string readable;
            for (const auto& t : store_tables())
                if (std::none_of(masked_columns().begin(), masked_columns().end(),
                                 [&](const MaskedTable& m) { return m.table == t; }))
                    readable += (readable.empty() ? "" : ", ") + S + quote_ident(t);
            pg.exec("GRANT SELECT ON " + readable + views + " TO " + role, "granting reads");
        } else {
            pg.exec("GRANT SELECT, INSERT, UPDATE, DELETE ON " + tables + " TO " + role, "granting reads and writes");
            pg.exec("GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + quote_ident(schema) + " TO " + role,
                    "granting the row numbers");
        }
        pg.exec("INSERT INTO " + S + "gridwatch_logins (login, kind, community) VALUES (" + quote_literal(req.login) +
                    ", " + quote_literal(out.kind) + ", " +
                    (req.kind == RoleKind::Community ? quote_literal(req.community) : std::string("NULL")) +
                    ") ON CONFLICT (login) DO UPDATE SET kind = EXCLUDED.kind, community = EXCLUDED.community",
                "recording the login");
        tx.commit();
    }
    return out;
}

}  // namespace gw::store
