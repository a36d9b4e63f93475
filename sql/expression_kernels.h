// Internal to the expression executor (expression_executor.cc): the operand type the kernels
// read and the kernel entry points implemented in arithmetic_kernels.cc, string_kernels.cc and
// cast_kernels.cc. Not part of lake_sql's API.
// Active masks: `active` (nullptr = every row) marks, LSB-first per 64-bit word, the rows whose
// results matter; a kernel must raise no error for other rows and may leave them NULL.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/logical_type.h"
#include "common/status.h"
#include "common/vector.h"
#include "sql/bound.h"
#include "sql/value.h"

namespace lake::sql::internal {

inline size_t WordCount(size_t rows) { return (rows + 63) / 64; }
// Whether UTF-8 byte `c` continues a character rather than starting one.
inline bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
inline bool BitAt(const uint64_t* words, size_t row) { return (words[row / 64] >> (row % 64)) & 1; }

// One kernel input: a borrowed column of the input batch, a constant broadcast to every row
// (never materialised), or a vector the executor computed and owns.
struct Operand {
  LogicalType type = LogicalType::kVarchar;
  const Value* constant = nullptr;  // set for a constant
  const Vector* vector = nullptr;   // set otherwise
  std::unique_ptr<Vector> owned;    // backs `vector` for computed results
  Value null_value;                 // backs `constant` for a skipped (all-inactive) child
  uint64_t scalar = 0;              // a constant's value in its physical type, for Data<T>()

  bool is_constant() const { return constant != nullptr; }
  bool IsNullConstant() const { return constant != nullptr && constant->is_null; }
  // Makes this a constant from `value` (whose lifetime must cover the operand's).
  void SetConstant(LogicalType t, const Value* value);
  // Rows are read as Data<T>()[row & IndexMask()]: a constant has one slot.
  template <class T>
  const T* Data() const {
    return constant ? reinterpret_cast<const T*>(&scalar) : vector->data<T>();
  }
  // The raw bytes of a fixed-width operand (row i at (i & IndexMask()) * FixedWidth(type)).
  const uint8_t* Bytes() const {
    return constant ? reinterpret_cast<const uint8_t*>(&scalar) : vector->fixed_bytes().data();
  }
  size_t IndexMask() const { return constant ? 0 : ~size_t{0}; }
  bool IsValid(size_t row) const { return constant ? !constant->is_null : vector->IsValid(row); }
  std::string_view Str(size_t row) const {
    return constant ? std::string_view(constant->text) : vector->GetString(row);
  }
};

// out[i] = per_value[codes[i]] for a BOOLEAN answer computed once per string of a dictionary
// (Vector::dictionary()), for rows [0, rows).
void SpreadDictionaryAnswers(const std::vector<uint8_t>& per_value, const uint8_t* codes,
                             uint8_t* out, size_t rows);

// ANDs the operand's validity into `words` (nwords words).
void AndValidity(const Operand& op, uint64_t* words, size_t nwords);
// ANDs `active` (nullptr = all) into `words`.
void AndMask(const uint64_t* active, uint64_t* words, size_t nwords);
// InvalidArgument at the expression's 0-based `location` (Status::InvalidArgumentAt), or with
// no position when the location is unknown (-1).
Status ErrorAt(std::string_view message, int location);

// Arithmetic (kAdd..kModulo) of two operands of expr.type (BIGINT or DOUBLE).
Status EvalArithmetic(const BoundExpr& expr, const Operand& l, const Operand& r,
                      const uint64_t* active, size_t rows, Vector* out);
// kNegate, kAbs (BIGINT or DOUBLE) and kRound (DOUBLE [, BIGINT digits]); `digits` may be null.
Status EvalNumericUnary(const BoundExpr& expr, const Operand& x, const Operand* digits,
                        const uint64_t* active, size_t rows, Vector* out);
// Comparison `op` (kEqual..kGreaterEqual) of two operands of the same type into a BOOLEAN out.
void EvalCompare(ScalarOp op, const Operand& l, const Operand& r, const uint64_t* active,
                 size_t rows, Vector* out);

// Validity words of the NULL-propagating result over `args`, masked by `active`; bits past
// `rows` clear.
std::vector<uint64_t> ResultValidity(const Operand* args, size_t arg_count, const uint64_t* active,
                                     size_t rows);

// kConcat, kLower, kUpper, kLength, kSubstring, kLike, kILike over operands (children order).
Status EvalStringFunction(const BoundExpr& expr, const Operand* args, size_t arg_count,
                          const uint64_t* active, size_t rows, Vector* out);

// kStrpos, kReplace, kBTrim, kLTrim, kRTrim, kSplitPart (string_functions.cc).
Status EvalTextFunction(const BoundExpr& expr, const Operand* args, size_t arg_count,
                        const uint64_t* active, size_t rows, Vector* out);
// kDateTrunc, kExtract (date_functions.cc); args[0] is the constant unit name.
Status EvalDateFunction(const BoundExpr& expr, const Operand* args, const uint64_t* active,
                        size_t rows, Vector* out);

// kCast of `x` to expr.type.
Status EvalCast(const BoundExpr& expr, const Operand& x, const uint64_t* active, size_t rows,
                Vector* out);

}  // namespace lake::sql::internal
