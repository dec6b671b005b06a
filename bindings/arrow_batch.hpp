#pragma once
// A record batch built in C++, handed to Python through the Arrow PyCapsule interface
// (`__arrow_c_array__`): pyarrow, polars, DuckDB and others import it without a copy.
#include <nanobind/nanobind.h>

#include "gitfleet/columnar/record_batch.hpp"

namespace gitfleet::bindings {

namespace nb = nanobind;

struct ArrowBatch {
  columnar::ExportedBatch batch;
};

void bind_arrow_batch(nb::module_& m);

}  // namespace gitfleet::bindings
