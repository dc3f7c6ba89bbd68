#include "geo/store/schema.h"

#include "geo/core/model.h"
#include "geo/core/text.h"
#include "geo/io/writer.h"
#include "geo/store/pg.h"

namespace gw::store {

const std::vector<std::string>& store_tables() { return canonical_layers(); }

std::string toast_lz4_query() {
    return "SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings WHERE name = 'default_toast_compression'";
}

std::string table_sql(const std::string& schema, const std::string& t, bool lz4) {
    const std::string T = quote_ident(schema) + "." + quote_ident(t);
    std::string sql;
    if (lz4) sql += "ALTER TABLE " + T + " ALTER COLUMN geom SET COMPRESSION lz4;\n";
    sql += "ALTER TABLE " + T +
           " ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();\n";
    sql += "CREATE INDEX " + quote_ident(t + "_geom_gist") + " ON " + T + " USING gist (geom);\n";
    sql += "CREATE INDEX " + quote_ident(t + "_community") + " ON " + T + " (community);\n";
    // SPEC §3: check_id is unique. The index is also what lets two offices import at once
    // without a lock (INSERT … ON CONFLICT (check_id) DO NOTHING, geo/io/check_import.cpp).
    if (t == "checks") sql += "CREATE UNIQUE INDEX checks_check_id_key ON " + T + " (check_id);\n";
    return sql;
}

namespace {

/**
 * The masking functions (`verb` CREATE FUNCTION, or CREATE OR REPLACE FUNCTION to bring an older
 * store's up to date), in the schema S (quoted, with its dot).
 */
std::string masks_sql(const std::string& S, bool replace) {
    const std::string verb = replace ? "CREATE OR REPLACE FUNCTION " : "CREATE FUNCTION ";
    std::string sql;
    // Masking as gridwatch masks on the wall and in exports (mask_name, mask_phone in
    // geo/io/writer.cpp): 张三丰 -> 张*丰, 张三 -> 张*, 张三、李四 -> 张*、李* (each name of a list
    // on its own, between kNameSeparators), 13812341234 -> 138****1234.
    std::string separators;
    for (std::string_view c : kNameSeparators)
        separators += std::string(separators.empty() ? "" : ", ") + quote_literal(std::string(c));
    sql += verb + S + R"(gridwatch_mask_one_name(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN char_length(t) = 0 THEN ''
              WHEN char_length(t) = 1 THEN '*'
              WHEN char_length(t) = 2 THEN left(t, 1) || '*'
              ELSE left(t, 1) || repeat('*', char_length(t) - 2) || right(t, 1) END $$;
)";
    sql += verb + S +
           R"(gridwatch_mask_name(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  masked text := '';
  word text := '';
  c text;
BEGIN
  IF t IS NULL THEN
    RETURN NULL;
  END IF;
  FOR i IN 1 .. char_length(t) LOOP
    c := substr(t, i, 1);
    IF c = ANY (ARRAY[)" +
           separators + R"(]) THEN
      masked := masked || )" +
           S + R"(gridwatch_mask_one_name(word) || c;
      word := '';
    ELSE
      word := word || c;
    END IF;
  END LOOP;
  RETURN masked || )" +
           S + R"(gridwatch_mask_one_name(word);
END $$;
)";
    sql += verb + S + R"(gridwatch_mask_phone(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL THEN NULL
              ELSE left(t, h) || repeat('*', char_length(t) - h - k) || right(t, k) END
  FROM (SELECT CASE WHEN char_length(t) >= 11 THEN 3 ELSE 0 END AS h,
               CASE WHEN char_length(t) >= 8 THEN 4 WHEN char_length(t) >= 4 THEN 2 ELSE 0 END AS k) AS p $$;
)";
    return sql;
}

}  // namespace

std::string masks_outdated_query(const std::string& schema) {
    if (!schema.empty())
        return "SELECT to_regprocedure(" +
               quote_literal(quote_ident(schema) + ".gridwatch_mask_one_name(text)") +
               ") IS NULL AS outdated";
    // The schema of the view itself, not whichever the search path finds the function in first.
    return "SELECT coalesce((SELECT to_regprocedure(format('%I.gridwatch_mask_one_name(text)', n.nspname)) "
           "IS NULL "
           "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
           "to_regclass('households_public')), "
           "false) AS outdated";
}

std::string masks_update_sql(const std::string& schema) { return masks_sql(quote_ident(schema) + ".", true); }

std::string post_load_sql(const std::string& schema, const std::string& postgis_schema,
                          const std::vector<std::string>& tables) {
    const std::string S = quote_ident(schema) + ".";
    const std::string path = "SET search_path = " + quote_ident(schema) + ", " + quote_ident(postgis_schema) +
                             ", pg_temp";
    std::string sql;
    // Who may see what: a login's kind and community. Read only through the SECURITY DEFINER
    // functions below, so no login needs a right on the table itself.
    sql += "CREATE TABLE " + S + "gridwatch_logins (login name PRIMARY KEY, kind text NOT NULL CHECK (kind IN "
           "('community', 'county', 'wall')), community text, CHECK ((kind = 'community') = (community IS NOT NULL)));\n";
    sql += "REVOKE ALL ON " + S + "gridwatch_logins FROM PUBLIC;\n";
    // The policies pass current_user in: inside a SECURITY DEFINER function current_user is the owner.
    sql += "CREATE FUNCTION " + S + "gridwatch_sees_all(who name) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER " +
           path + " AS $$ SELECT EXISTS (SELECT 1 FROM gridwatch_logins WHERE login = who AND kind IN ('county', 'wall')) $$;\n";
    sql += "CREATE FUNCTION " + S + "gridwatch_community_of_login(who name) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER " +
           path + " AS $$ SELECT community FROM gridwatch_logins WHERE login = who AND kind = 'community' $$;\n";
    // The L1 cell a geometry lies in (its point on surface), for rows added after the load
    // (households and checks: the community of the cell they name, when it is known); the load
    // computes the same in gridwatch (geo/store/load.cpp). DEFINER: every L1 cell counts,
    // whatever the writer may see.
    sql += "CREATE FUNCTION " + S + "gridwatch_community_of(g geometry) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER " +
           path + " AS $$ SELECT grid_id FROM grids WHERE level = 1 AND g IS NOT NULL AND "
           "ST_Intersects(geom, ST_PointOnSurface(g)) ORDER BY grid_id LIMIT 1 $$;\n";
    sql += "CREATE FUNCTION " + S + "gridwatch_cell_community(cell text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER " +
           path + " AS $$ SELECT community FROM grids WHERE grid_id = cell LIMIT 1 $$;\n";
    // version starts at 1 and rises by exactly 1 per change of a row, whatever the client sends.
    sql += "CREATE FUNCTION " + S + R"(gridwatch_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.version := 1;
    NEW.updated_at := now();
    IF NEW.community IS NULL THEN
      IF TG_TABLE_NAME = 'grids' THEN
        IF NEW.level = 1 THEN
          NEW.community := NEW.grid_id;
        ELSE
          NEW.community := coalesce()" + S + "gridwatch_cell_community(NEW.parent_id), " + S + R"(gridwatch_community_of(NEW.geom));
        END IF;
      ELSIF TG_TABLE_NAME IN ('households', 'checks') THEN
        NEW.community := coalesce()" + S + "gridwatch_cell_community(NEW.grid_id), " + S + R"(gridwatch_community_of(NEW.geom));
      ELSE
        NEW.community := )" + S + R"(gridwatch_community_of(NEW.geom);
      END IF;
    END IF;
    RETURN NEW;
  END IF;
  NEW.version := OLD.version;
  NEW.updated_at := OLD.updated_at;
  IF NEW IS NOT DISTINCT FROM OLD THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME <> 'grids' AND NEW.geom IS DISTINCT FROM OLD.geom AND NEW.community IS NOT DISTINCT FROM OLD.community THEN
    NEW.community := coalesce()" + S + R"(gridwatch_community_of(NEW.geom), OLD.community);
  END IF;
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
)";
    // One notification per statement (a COPY of 10,000 reports is one), with the fids changed;
    // past NOTIFY's 8000-byte payload the ids are left out and the listener reloads the table.
    sql += "CREATE FUNCTION " + S + R"(gridwatch_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  payload text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(fid ORDER BY fid) INTO ids FROM old_rows;
  ELSE
    SELECT array_agg(fid ORDER BY fid) INTO ids FROM new_rows;
  END IF;
  IF ids IS NULL THEN
    RETURN NULL;
  END IF;
  payload := json_build_object('table', TG_TABLE_NAME, 'op', lower(TG_OP), 'ids', ids)::text;
  IF octet_length(payload) > 7900 THEN
    payload := json_build_object('table', TG_TABLE_NAME, 'op', lower(TG_OP), 'ids', NULL, 'count', cardinality(ids))::text;
  END IF;
  PERFORM pg_notify('gridwatch', payload);
  RETURN NULL;
END $$;
)";
    sql += masks_sql(S, false);
    const std::string scope = "((SELECT " + S + "gridwatch_sees_all(current_user)) OR community = (SELECT " + S +
                              "gridwatch_community_of_login(current_user)))";
    for (const auto& t : tables) {
        const std::string T = S + quote_ident(t);
        sql += "CREATE TRIGGER gridwatch_stamp BEFORE INSERT OR UPDATE ON " + T +
               " FOR EACH ROW EXECUTE FUNCTION " + S + "gridwatch_stamp();\n";
        sql += "CREATE TRIGGER gridwatch_notify_insert AFTER INSERT ON " + T +
               " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + S + "gridwatch_notify();\n";
        sql += "CREATE TRIGGER gridwatch_notify_update AFTER UPDATE ON " + T +
               " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + S +
               "gridwatch_notify();\n";
        sql += "CREATE TRIGGER gridwatch_notify_delete AFTER DELETE ON " + T +
               " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + S + "gridwatch_notify();\n";
        // Row-level security: a community login reads and writes its community's rows, county and
        // wall logins every row (the wall has SELECT only, given by `db roles`). The owner (who ran
        // db init) is not subject to it.
        sql += "ALTER TABLE " + T + " ENABLE ROW LEVEL SECURITY;\n";
        sql += "CREATE POLICY gridwatch_scope ON " + T + " USING " + scope + " WITH CHECK " + scope + ";\n";
    }
    // The wall reads households only through this plain view (not security_invoker: it runs with
    // the owner's rights, so the wall needs no right on households, and sees every row), names and
    // phones masked. Only walls are granted it (db roles).
    sql += "CREATE VIEW " + S + "households_public AS SELECT fid, hh_id, grid_id, " + S +
           "gridwatch_mask_name(head) AS head, members, tags, " + S +
           "gridwatch_mask_phone(phone) AS phone, community, version, updated_at, geom FROM " + S + "households;\n";
    sql += "REVOKE ALL ON " + S + "households_public FROM PUBLIC;\n";
    sql += public_views_sql(S);
    return sql;
}

std::string public_views_sql(const std::string& S) {
    // Every column of the table as it is (a store keeps a source's other fields), the names and
    // phones masked; made from the catalogue, so a plain CREATE VIEW of the columns of the day.
    std::string sql;
    // S and the view's name go inside the DO block's string literals: a ' in them doubled.
    const auto in_literal = [](const std::string& v) {
        std::string q;
        for (char c : v) q += c == '\'' ? std::string("''") : std::string(1, c);
        return q;
    };
    for (const auto& [table, masked] : masked_columns()) {
        if (table == "households") continue;  // households_public: its own columns above
        std::string cases;
        for (const auto& [column, mask] : masked)
            cases += "WHEN " + quote_literal(column) + " THEN format('" + in_literal(S) + "%s(%I) AS %I', " +
                     quote_literal(mask) + ", column_name, column_name) ";
        const std::string view_name = S + quote_ident(table + "_public"), view = in_literal(view_name);
        sql += "DO $gw$ BEGIN EXECUTE 'DROP VIEW IF EXISTS " + view + "'; EXECUTE (SELECT 'CREATE VIEW " +
               view + " AS SELECT ' || string_agg(CASE column_name " + cases +
               "ELSE format('%I', column_name) END, ', ' ORDER BY ordinal_position) || ' FROM " +
               in_literal(S + quote_ident(table)) +
               "' FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = " +
               quote_literal(table) + "); END $gw$;\n";
        sql += "REVOKE ALL ON " + view_name + " FROM PUBLIC;\n";
    }
    return sql;
}

const std::vector<MaskedTable>& masked_columns() {
    static const std::vector<MaskedTable> m = {
        {"households", {{"head", "gridwatch_mask_name"}, {"phone", "gridwatch_mask_phone"}}},
        {"grids", {{"manager", "gridwatch_mask_name"}, {"phone", "gridwatch_mask_phone"}}},
        {"checks", {{"reporter", "gridwatch_mask_name"}}},
    };
    return m;
}

}  // namespace gw::store
