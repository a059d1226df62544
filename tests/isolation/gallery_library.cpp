// A provider library serving one bundled mutant, named by the environment
// variable LOGOFFCHECK_GALLERY_MUTANT: the gallery as the shared libraries a
// certification lab is handed, so the command line certifies crashing,
// aborting, exiting and hanging stores by path, isolated by default.
#include <cstdlib>

#include "logoffcheck/builtin.h"

namespace {

logoffcheck::IMsgStore* open_gallery_mutant(logoffcheck::IMAPISupport* support) {
  const char* name = std::getenv("LOGOFFCHECK_GALLERY_MUTANT");
  const logoffcheck::BuiltinProvider* mutant =
      logoffcheck::find_builtin_provider(name != nullptr ? name : "");
  return mutant != nullptr ? mutant->open_store(support) : nullptr;
}

}  // namespace

LOGOFFCHECK_EXPORT_PROVIDER(open_gallery_mutant)
