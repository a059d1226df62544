#include "reference_store.h"

#include <new>

namespace logoffcheck::providers {

IMsgStore* open_reference_store(IMAPISupport* support) {
  return new (std::nothrow) ReferenceStore(support);
}

IMsgStore* open_reference_eager_store(IMAPISupport* support) {
  return new (std::nothrow) ReferenceEagerStore(support);
}

}  // namespace logoffcheck::providers
