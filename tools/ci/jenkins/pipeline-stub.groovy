// Evaluates a declarative Jenkinsfile against a stub of the pipeline DSL and prints, as
// JSON, which stages would run and the steps each would take, for the branch described by
// the environment (BRANCH_NAME, CHANGE_ID for a pull request, GIT_COMMIT) and, for a
// parameterised pipeline, PARAMS (a JSON object of parameter values; declared defaults fill
// the rest). Steps are recorded, never executed. A Groovy syntax error exits non-zero.
//   groovy tools/ci/jenkins/pipeline-stub.groovy Jenkinsfile
import groovy.json.JsonOutput

class Run {
  Map env = [:]
  Map params = [:]
  List parameters = []
  List options = []
  List stages = []
  Map current
}

abstract class Dsl {
  Run run
  def call(Closure body, Object delegate) {
    body.delegate = delegate
    body.resolveStrategy = Closure.DELEGATE_FIRST
    body()
  }
  def getParams() { run.params }
  // Triggers, tools and the like do not change what runs: accept and ignore them.
  def methodMissing(String name, Object args) { null }
}

class StepsDsl extends Dsl {
  def record(String type, Object text) { run.current.steps << [type: type, text: String.valueOf(text)] }
  def getEnv() { run.env }
  def getScm() { 'scm' }
  def sh(String script) { record('sh', script); 0 }
  def sh(Map args) { record('sh', args.script); args.returnStdout ? "stub-${args.script.hashCode()}\n" : 0 }
  def echo(String text) { record('echo', text) }
  def checkout(Object scm) { record('checkout', scm) }
  def input(Map args) { record('input', args.message) }
  def usernamePassword(Map args) { args }
  def string(Map args) { args }
  def withCredentials(List credentials, Closure body) { record('credentials', credentials*.credentialsId.join(',')); call(body, this) }
  def sshagent(Map args, Closure body) { record('sshagent', args.credentials.join(',')); call(body, this) }
  def script(Closure body) { call(body, this) }
  def timeout(Map args, Closure body) { call(body, this) }
  def dir(String path, Closure body) { record('dir', path); call(body, this) }
  def archiveArtifacts(Map args) { record('archive', args.artifacts) }
  def junit(Map args) { record('junit', args.testResults) }
}

class WhenDsl extends Dsl {
  List<Boolean> results = []
  boolean holds() { results.every { it } }
  WhenDsl nested(Closure body) { def w = new WhenDsl(run: run); w.call(body, w); w }
  def branch(String pattern) { results << (run.env.BRANCH_NAME ==~ pattern.replace('*', '.*')) }
  def changeRequest() { results << (run.env.CHANGE_ID != null) }
  def expression(Closure body) { results << (body() as boolean) }
  def not(Closure body) { results << !nested(body).holds() }
  def allOf(Closure body) { results << nested(body).holds() }
  def anyOf(Closure body) { def w = nested(body); results << w.results.any { it } }
  def environment(Map args) { results << (run.env[args.name] == args.value) }
}

class StageDsl extends Dsl {
  WhenDsl when
  Closure steps
  def when(Closure body) { when = new WhenDsl(run: run); call(body, when) }
  def steps(Closure body) { steps = body }
}

class StagesDsl extends Dsl {
  def stage(String name, Closure body) {
    def stage = new StageDsl(run: run)
    call(body, stage)
    def ran = stage.when == null || stage.when.holds()
    run.current = [name: name, ran: ran, steps: []]
    run.stages << run.current
    if (ran && stage.steps) call(stage.steps, new StepsDsl(run: run))
  }
}

class EnvironmentDsl extends Dsl {
  def propertyMissing(String name, Object value) { run.env[name] = value }
  def propertyMissing(String name) { run.env[name] }
}

class PostDsl extends Dsl {
  // The stub models a successful build: success and always blocks run, in Jenkins' order.
  Map blocks = [:]
  def always(Closure body) { blocks.always = body }
  def success(Closure body) { blocks.success = body }
  def failure(Closure body) { blocks.failure = body }
  def unstable(Closure body) { blocks.unstable = body }
  def cleanup(Closure body) { blocks.cleanup = body }
}

class ParametersDsl extends Dsl {
  def declare(String type, Map args) {
    run.parameters << [type: type, name: args.name, choices: args.choices, defaultValue: args.defaultValue]
    if (!run.params.containsKey(args.name)) run.params[args.name] = type == 'choice' ? args.choices[0] : args.defaultValue
  }
  def choice(Map args) { declare('choice', args) }
  def string(Map args) { declare('string', args) }
  def booleanParam(Map args) { declare('boolean', args) }
}

class OptionsDsl extends Dsl {
  def methodMissing(String name, Object args) { run.options << name; null }
}

class PipelineDsl extends Dsl {
  PostDsl post
  def agent(Object any) { }
  def agent(Closure body) { }
  def options(Closure body) { call(body, new OptionsDsl(run: run)) }
  def triggers(Closure body) { }
  def parameters(Closure body) { call(body, new ParametersDsl(run: run)) }
  def environment(Closure body) { call(body, new EnvironmentDsl(run: run)) }
  def stages(Closure body) { call(body, new StagesDsl(run: run)) }
  def post(Closure body) { post = new PostDsl(run: run); call(body, post) }
}

def file = new File(args[0])
def run = new Run()
['BRANCH_NAME', 'CHANGE_ID', 'GIT_COMMIT'].each { name -> if (System.getenv(name)) run.env[name] = System.getenv(name) }
if (System.getenv('PARAMS')) run.params.putAll(new groovy.json.JsonSlurper().parseText(System.getenv('PARAMS')) as Map)

def binding = new Binding()
binding.setVariable('pipeline', { Closure body ->
  def p = new PipelineDsl(run: run)
  p.call(body, p)
  ['success', 'always'].each { kind ->
    if (p.post?.blocks?."$kind") {
      run.current = [name: "post: ${kind}", ran: true, steps: []]
      run.stages << run.current
      p.call(p.post.blocks."$kind", new StepsDsl(run: run))
    }
  }
})
new GroovyShell(binding).evaluate(file)
println JsonOutput.toJson([env: run.env, params: run.params, parameters: run.parameters, options: run.options, stages: run.stages])
