package dev.pacer.store;

import dev.pacer.time.FakeTimeSource;

class InMemoryBucketStoreTest extends BucketStoreContract {
  @Override
  protected BucketStore newStore(FakeTimeSource time) {
    return BucketStore.inMemory(time);
  }
}
