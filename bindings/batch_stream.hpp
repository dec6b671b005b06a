#pragma once
// A stream of batches produced on a driver thread and consumed from asyncio: the producer
// pushes into a channel that holds at most two batches, the consumer's receive() gets the
// next one through a GIL-taking callback. Closing (or dropping) the stream cancels the work.
#include <nanobind/nanobind.h>
#include <nanobind/stl/vector.h>

#include <functional>
#include <memory>
#include <tuple>

#include "gitfleet/core/async_channel.hpp"
#include "gitfleet/core/job_runner.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {

template <class Item>
class BatchStream {
 public:
  using Batch = std::vector<Item>;
  // Pushes batches (push returns false once the consumer is gone); may throw.
  using Producer = std::function<void(AsyncChannel<Batch>& channel, const CancellationToken& cancel)>;

  explicit BatchStream(Producer produce) : channel_(std::make_shared<AsyncChannel<Batch>>(2)) {
    token_ = JobRunner::shared().start([channel = channel_, produce = std::move(produce)](const CancellationToken& cancel) {
      try {
        produce(*channel, cancel);
        channel->finish();
      } catch (...) {
        channel->finish(std::current_exception());
      }
    });
  }
  ~BatchStream() { close(); }
  BatchStream(const BatchStream&) = delete;  // a copy's destruction would cancel the stream
  BatchStream& operator=(const BatchStream&) = delete;

  // on_batch(list, None); at the end on_batch(None, None) or on_batch(None, exception).
  void receive(nb::callable on_batch) {
    auto callback = std::make_shared<PythonCallback>(std::move(on_batch));
    channel_->receive([callback](std::optional<Batch> batch, std::exception_ptr error) {
      callback->call([&] {
        if (batch) return std::tuple<nb::object, nb::object>(nb::cast(std::move(*batch)), nb::none());
        return std::tuple<nb::object, nb::object>(nb::none(), error ? python_exception_for(error) : nb::none());
      });
    });
  }

  void close() {
    token_.cancel();
    channel_->close();
  }

  template <class Class>
  static void bind_methods(Class& cls) {
    cls.def("receive", &BatchStream::receive, nb::arg("on_batch")).def("close", &BatchStream::close);
  }

 private:
  std::shared_ptr<AsyncChannel<Batch>> channel_;
  CancellationToken token_;
};

}  // namespace gitfleet::bindings
