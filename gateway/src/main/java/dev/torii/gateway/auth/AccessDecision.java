package dev.torii.gateway.auth;

import dev.torii.authority.v1.Principal;
import dev.torii.authority.v1.PrincipalType;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.route.AuthPolicy;
import dev.torii.gateway.route.MethodRoute;
import java.util.Set;

/**
 * Decides whether a verified principal may call a route, by the route's policy: its kind must be
 * admitted, a user must hold every required scope, a service account must be listed (by email or
 * role) when the route lists any.
 */
final class AccessDecision {

    private AccessDecision() {}

    /**
     * Checks a principal against a route.
     *
     * @param route the route
     * @param principal the principal the Authority verified
     * @return null when admitted, otherwise the 403 to answer
     */
    static GatewayError check(MethodRoute route, Principal principal) {
        AuthPolicy policy = route.auth();
        String method = route.serviceName() + "/" + route.methodName();
        if (principal.getType() == PrincipalType.PRINCIPAL_TYPE_USER) {
            if (policy.users().isEmpty()) {
                return AuthErrors.forbidden(method + " does not admit users (expected: a service-account credential)");
            }
            Set<String> missing = policy.users().get().missing(principal.getScopesList());
            if (!missing.isEmpty()) {
                return AuthErrors.insufficientScope(missing, method + " needs scope(s) " + String.join(", ", missing));
            }
            return null;
        }
        if (principal.getType() == PrincipalType.PRINCIPAL_TYPE_SERVICE_ACCOUNT) {
            if (policy.serviceAccounts().isEmpty()) {
                return AuthErrors.forbidden(method + " does not admit service accounts (expected: a user credential)");
            }
            if (!policy.serviceAccounts().get().admits(principal.getId(), principal.getRolesList())) {
                return AuthErrors.forbidden("service account " + principal.getId() + " may not call " + method);
            }
            return null;
        }
        return AuthErrors.forbidden("the Authority returned a principal of unknown type for " + method);
    }
}
