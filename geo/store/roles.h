#pragma once
/**
 * `gridwatch db roles` (SPEC §9): logins of the shared store. What each sees is decided in the
 * database by row-level security (the policies db init made, geo/store/schema.cpp), driven by the
 * login's row in `gridwatch_logins`; this sets that row and the login's table rights.
 */
#include <string>

namespace gw::store {

enum class RoleKind { Community, County, Wall };

struct RoleRequest {
    RoleKind kind = RoleKind::County;
    std::string login;      // the PostgreSQL role (made LOGIN; created when missing)
    std::string community;  // L1 grid_id, for RoleKind::Community
};

struct RoleResult {
    std::string login, kind, community;
    bool created = false;  // false: an existing role was updated
    bool masks_updated = false;  // the store's masks were of the older rule and are brought up to date
};

/**
 * Creates or updates the login in one transaction. A community must be an L1 cell of the store.
 * Throws gw::Error when the store is not made (db init), the community is unknown, or the
 * connecting user may not create roles or grant on the tables.
 */
RoleResult set_role(const std::string& pg_source, const RoleRequest& request);

}  // namespace gw::store
