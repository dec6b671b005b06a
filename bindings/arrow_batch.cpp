#include "arrow_batch.hpp"

#include <nanobind/stl/optional.h>

#include <optional>

namespace gitfleet::bindings {
namespace {

// Capsules own heap copies of the structs; a consumer that imported the data has set release
// to null, otherwise the capsule's destructor releases it.
template <class T>
void release_capsule(PyObject* capsule, const char* name) {
  auto* c_struct = static_cast<T*>(PyCapsule_GetPointer(capsule, name));
  if (!c_struct) return;
  if (c_struct->release) c_struct->release(c_struct);
  delete c_struct;
}

template <class T>
nb::object capsule_of(T& source, const char* name, PyCapsule_Destructor destructor) {
  auto* moved = new T(source);
  source.release = nullptr;  // the capsule owns it now
  PyObject* capsule = PyCapsule_New(moved, name, destructor);
  if (!capsule) {
    if (moved->release) moved->release(moved);
    delete moved;
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

void release_schema_capsule(PyObject* capsule) { release_capsule<ArrowSchema>(capsule, "arrow_schema"); }
void release_array_capsule(PyObject* capsule) { release_capsule<ArrowArray>(capsule, "arrow_array"); }

}  // namespace

void bind_arrow_batch(nb::module_& m) {
  nb::class_<ArrowBatch>(m, "ArrowBatch", "A record batch from the native core, for pyarrow.record_batch().")
      .def_prop_ro("num_rows", [](const ArrowBatch& b) { return b.batch.rows(); })
      .def(
          "__arrow_c_array__",
          [](ArrowBatch& b, std::optional<nb::object> requested_schema) {
            if (requested_schema && !requested_schema->is_none())
              throw nb::type_error("ArrowBatch: a requested schema is not supported (cast after import)");
            if (!b.batch.array.release) throw nb::value_error("this batch was already imported (a batch moves once)");
            nb::object schema = capsule_of(b.batch.schema, "arrow_schema", release_schema_capsule);
            nb::object array = capsule_of(b.batch.array, "arrow_array", release_array_capsule);
            return nb::make_tuple(schema, array);
          },
          nb::arg("requested_schema") = nb::none());
}

}  // namespace gitfleet::bindings
