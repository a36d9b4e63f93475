#include "sql/scope.h"

#include <strings.h>

#include <optional>

#include "sql/type_coercion.h"

namespace lake::sql {

bool SameIdentifier(const std::string& written, const std::string& name) {
  return written.size() == name.size() &&
         strncasecmp(written.data(), name.data(), written.size()) == 0;
}

namespace {

// The columns `pick` accepts, preferring exact-case name matches: a name matching one column
// exactly and another only without case is that one column (as before scopes existed).
template <class Pick>
std::vector<size_t> Candidates(const Scope& scope, const std::string& name, Pick&& pick) {
  std::vector<size_t> exact, folded;
  for (size_t i = 0; i < scope.size(); ++i) {
    if (!pick(scope[i])) continue;
    if (scope[i].name == name) {
      exact.push_back(i);
    } else if (SameIdentifier(name, scope[i].name)) {
      folded.push_back(i);
    }
  }
  return exact.empty() ? folded : exact;
}

}  // namespace

bool Resolves(const Scope& scope, const Expr& ref) {
  try {
    ResolveColumn(scope, ref, "");
    return true;
  } catch (const BindError&) {
    return false;
  }
}

bool NamesColumnOf(const Scope& scope, const Expr& ref) {
  for (const ScopeColumn& c : scope) {
    if (ref.qualifier.empty() ? c.unqualified && SameIdentifier(ref.name, c.name)
                              : SameIdentifier(ref.qualifier, c.qualifier)) {
      return true;
    }
  }
  return false;
}

size_t ResolveColumn(const Scope& scope, const Expr& ref, const std::string& where) {
  std::vector<size_t> found;
  if (ref.qualifier.empty()) {
    found = Candidates(scope, ref.name, [](const ScopeColumn& c) { return c.unqualified; });
  } else {
    bool known_table = false;
    for (const ScopeColumn& c : scope) known_table |= SameIdentifier(ref.qualifier, c.qualifier);
    if (!known_table) {
      throw BindError{"missing FROM-clause entry for table \"" + ref.qualifier + "\"",
                      ref.location};
    }
    found = Candidates(scope, ref.name, [&](const ScopeColumn& c) {
      return SameIdentifier(ref.qualifier, c.qualifier);
    });
  }
  if (found.size() > 1) {
    throw BindError{"column reference \"" + ref.name + "\" is ambiguous", ref.location};
  }
  if (found.empty()) {
    const std::string shown = ref.qualifier.empty() ? ref.name : ref.qualifier + "." + ref.name;
    throw BindError{"column \"" + shown + "\" does not exist" + (where.empty() ? "" : " in " + where),
                    ref.location};
  }
  return found[0];
}

}  // namespace lake::sql
