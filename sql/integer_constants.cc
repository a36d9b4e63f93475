#include "sql/integer_constants.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

namespace lake::sql {
namespace {

// Visits every message of the tree under `message` through protobuf-c's reflection, so that no
// node type of the PostgreSQL grammar needs naming here, and records each A_Const that holds an
// Integer.
void Walk(const ProtobufCMessage* message, std::map<int, int64_t>* out) {
  const ProtobufCMessageDescriptor* descriptor = message->descriptor;
  if (descriptor == &pg_query__a__const__descriptor) {
    const auto* constant = reinterpret_cast<const PgQuery__AConst*>(message);
    if (constant->val_case == PG_QUERY__A__CONST__VAL_IVAL && constant->ival != nullptr) {
      (*out)[constant->location] = constant->ival->ival;
    }
    return;
  }
  const char* base = reinterpret_cast<const char*>(message);
  for (unsigned f = 0; f < descriptor->n_fields; ++f) {
    const ProtobufCFieldDescriptor& field = descriptor->fields[f];
    if (field.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if (field.label == PROTOBUF_C_LABEL_REPEATED) {
      const size_t count = *reinterpret_cast<const size_t*>(base + field.quantifier_offset);
      const auto* items = *reinterpret_cast<ProtobufCMessage* const* const*>(base + field.offset);
      for (size_t i = 0; i < count; ++i) {
        if (items[i] != nullptr) Walk(items[i], out);
      }
      continue;
    }
    // The members of a oneof share storage: only the one its case names may be read.
    if ((field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
        *reinterpret_cast<const uint32_t*>(base + field.quantifier_offset) != field.id) {
      continue;
    }
    const auto* child = *reinterpret_cast<ProtobufCMessage* const*>(base + field.offset);
    if (child != nullptr) Walk(child, out);
  }
}

}  // namespace

Result<IntegerConstants> IntegerConstants::Collect(const std::string& statement) {
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(statement.c_str());
  if (parsed.error != nullptr) {
    const std::string message = parsed.error->message;
    pg_query_free_protobuf_parse_result(parsed);
    return Status::InvalidArgument(message);
  }
  PgQuery__ParseResult* tree = pg_query__parse_result__unpack(
      nullptr, parsed.parse_tree.len, reinterpret_cast<const uint8_t*>(parsed.parse_tree.data));
  pg_query_free_protobuf_parse_result(parsed);
  if (tree == nullptr) return Status::InvalidArgument("internal: unreadable parse tree");
  IntegerConstants out;
  Walk(&tree->base, &out.by_location_);
  pg_query__parse_result__free_unpacked(tree, nullptr);
  return out;
}

std::optional<int64_t> IntegerConstants::At(int location) const {
  auto it = by_location_.find(location);
  if (it == by_location_.end()) return std::nullopt;
  return it->second;
}

}  // namespace lake::sql
