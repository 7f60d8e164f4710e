"""One renderer per endpoint, in modules by family, registered under the endpoint's path
name on stats.nba.com (the catalogue's ``api_name``)::

    from pipeline.sim.renderers.registry import renders

    @renders("boxscoremiscv3")
    def box_score_misc(sim: Source, params: dict) -> Reply: ...

A renderer checks its parameters (raising common.BadRequest: 400), finds its game, player or
team through the Responder (raising common.NotFound: 404) and returns a common.Reply.
Responder.answer looks the endpoint up in registry.RENDERERS (pipeline.sim.bodies imports
every renderer module, which registers it); an unknown one answers 404.
"""
