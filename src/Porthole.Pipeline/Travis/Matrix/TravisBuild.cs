namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The jobs of a Travis build and the stages they run in, as Travis computes them (§B9, §B10).
/// <see cref="Jobs"/> are in Travis's final order (stage, then jobs not allowed to fail, then as written): job N.k is
/// <c>Jobs[k - 1]</c>. <see cref="Stages"/> is empty when the build uses no stages: then every job is in one implicit
/// stage named <c>test</c> and <c>TRAVIS_BUILD_STAGE_NAME</c> is empty, as on Travis.
/// </summary>
internal sealed record TravisBuild(IReadOnlyList<TravisStage> Stages, IReadOnlyList<TravisJobConfig> Jobs, bool FastFinish);
